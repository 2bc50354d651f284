using System.Net;
using System.Text;
using System.Text.Json;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>POST /api/events: whole batches stored once by event id; every kind of bad batch refused with nothing stored.</summary>
public sealed class OnlineEventsApiTests(OnlineFactory factory) : IClassFixture<OnlineFactory>
{
    private readonly HttpClient client = factory.CreateClient();
    private static readonly DateTimeOffset Day = new(2026, 11, 3, 10, 0, 0, TimeSpan.Zero);

    private static List<object> Batch(string prefix, int count, DateTimeOffset start) =>
        Enumerable.Range(0, count).Select(i => Event($"{prefix}-{i}", OnlineFactory.First, OnlineFactory.Recognizer, start.AddSeconds(i * 7), 10 + i % 50, corrected: i % 4 == 0)).ToList();

    [Fact]
    public async Task A_batch_is_stored_and_the_same_batch_again_is_counted_once_with_aggregates_unchanged()
    {
        var batch = Batch("idem", 500, Day);
        var first = await JsonAsync(await PostAsync(client, batch));
        Assert.Equal(500, first.GetProperty("accepted").GetInt32());
        Assert.Equal(0, first.GetProperty("duplicates").GetInt32());
        var stored = await factory.CountStoredAsync();
        var aggregates = await factory.SnapshotAggregatesAsync();

        var again = await PostAsync(client, batch);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = await JsonAsync(again);
        Assert.Equal(0, second.GetProperty("accepted").GetInt32());
        Assert.Equal(500, second.GetProperty("duplicates").GetInt32());
        Assert.Equal(stored, await factory.CountStoredAsync());
        Assert.Equal(aggregates, await factory.SnapshotAggregatesAsync());

        // Half old, half new: only the new half counts.
        var overlap = batch.Skip(250).Concat(Batch("idem-more", 100, Day.AddHours(2))).ToList();
        var third = await JsonAsync(await PostAsync(client, overlap));
        Assert.Equal(100, third.GetProperty("accepted").GetInt32());
        Assert.Equal(250, third.GetProperty("duplicates").GetInt32());
        Assert.Equal(stored.AggregatedCount + 2 * 100, (await factory.CountStoredAsync()).AggregatedCount); // minute and hour rows
    }

    [Fact]
    public async Task Releases_and_modules_are_accepted_by_name_or_id()
    {
        var at = Day.AddDays(1);
        var events = new object[]
        {
            new { eventId = "ids-1", release = factory.ReleaseIds[OnlineFactory.First], module = factory.ModuleIds[OnlineFactory.Recognizer], timestamp = at, latencyMs = 1.5, corrected = false },
            new { eventId = "ids-2", release = OnlineFactory.Second, module = factory.ModuleIds[OnlineFactory.Recognizer], timestamp = at, latencyMs = 0, corrected = true, predicted = new { label = "x" } },
        };
        var result = await JsonAsync(await PostAsync(client, events));
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
    }

    public static TheoryData<string, string, string> BadBatches()
    {
        var ok = $"{{\"eventId\":\"bad-ok-0\",\"release\":\"{OnlineFactory.First}\",\"module\":\"{OnlineFactory.Recognizer}\",\"timestamp\":\"2026-11-05T10:00:00Z\",\"latencyMs\":12,\"corrected\":false}}";
        string With(string id, string replace, string by) => replace.Length == 0 ? ok.Replace("bad-ok-0", id) : ok.Replace("bad-ok-0", id).Replace(replace, by);
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        string Described(string field) => With("bad-1", "\"corrected\":false", $"\"corrected\":false,\"brightness\":0.5,{field}");
        return new()
        {
            { "malformed JSON", $"[{ok}, {{\"eventId\": \"x\", \"latencyMs\": 1", "[1]" },
            { "bad token", $"[{ok}, {{\"eventId\": \"x\", \"latencyMs\": abc}}]", "[1]" },
            { "text after the array", $"[{ok}] [", "body" },
            { "a string, not a list", "\"events\"", "body" },
            { "an object, not a list", ok, "body" },
            { "a number, not a list", "42", "body" },
            { "an empty body", "", "body" },
            { "a null event", $"[{ok}, null]", "[1]" },
            { "an event that is not an object", $"[{ok}, 17]", "[1]" },
            { "unknown release", $"[{ok}, {With("bad-1", OnlineFactory.First, "no-such-release")}]", "[1].release" },
            { "unknown release id", $"[{ok}, {With("bad-1", $"\"{OnlineFactory.First}\"", "987654")}]", "[1].release" },
            { "unknown module", $"[{ok}, {With("bad-1", OnlineFactory.Recognizer, "no-such-module")}]", "[1].module" },
            { "module not in the release", $"[{ok}, {With("bad-1", OnlineFactory.First, OnlineFactory.Second).Replace(OnlineFactory.Recognizer, OnlineFactory.Classifier)}]", "[1].module" },
            { "release as an object", $"[{ok}, {With("bad-1", $"\"{OnlineFactory.First}\"", "{}")}]", "[1].release" },
            { "duplicate ids in the batch", $"[{ok}, {With("bad-1", "", "")}, {With("bad-1", "", "")}]", "[2].eventId" },
            { "missing event id", $"[{ok}, {With("bad-1", "\"eventId\":\"bad-1\",", "")}]", "[1].eventId" },
            { "missing latency", $"[{ok}, {With("bad-1", "\"latencyMs\":12,", "")}]", "[1].latencyMs" },
            { "negative latency", $"[{ok}, {ok.Replace("bad-ok-0", "bad-1").Replace("12,", "-3,")}]", "[1].latencyMs" },
            { "NaN latency", $"[{ok}, {With("bad-1", "12,", "\"NaN\",")}]", "[1].latencyMs" },
            { "latency as a string", $"[{ok}, {With("bad-1", "12,", "\"12\",")}]", "[1].latencyMs" },
            { "latency over an hour", $"[{ok}, {With("bad-1", "12,", "3600001,")}]", "[1].latencyMs" },
            { "timestamp far in the future", $"[{ok}, {With("bad-1", "2026-11-05T10:00:00Z", future)}]", "[1].timestamp" },
            { "timestamp not a date", $"[{ok}, {With("bad-1", "2026-11-05T10:00:00Z", "yesterday")}]", "[1].timestamp" },
            { "missing timestamp", $"[{ok}, {With("bad-1", "\"timestamp\":\"2026-11-05T10:00:00Z\",", "")}]", "[1].timestamp" },
            { "missing corrected", $"[{ok}, {With("bad-1", ",\"corrected\":false", "")}]", "[1].corrected" },
            { "corrected not a boolean", $"[{ok}, {With("bad-1", "\"corrected\":false", "\"corrected\":\"no\"")}]", "[1].corrected" },
            { "event id too long", $"[{ok}, {With("bad-1", "bad-1", new string('x', 201))}]", "[1].eventId" },
            { "predicted too long", $"[{ok}, {With("bad-1", "\"corrected\":false", $"\"corrected\":false,\"predicted\":\"{new string('y', 4001)}\"")}]", "[1].predicted" },
            { "confidence above 1", $"[{ok}, {Described("\"confidence\":1.01")}]", "[1].confidence" },
            { "confidence as text", $"[{ok}, {Described("\"confidence\":\"high\"")}]", "[1].confidence" },
            { "brightness NaN", $"[{ok}, {Described("\"brightness\":\"NaN\"")}]", "[1].brightness" },
            { "brightness above 1", $"[{ok}, {Described("\"brightness\":1.5")}]", "[1].brightness" },
            { "negative contrast", $"[{ok}, {Described("\"contrast\":-0.01")}]", "[1].contrast" },
            { "blur above 16", $"[{ok}, {Described("\"blur\":17")}]", "[1].blur" },
            { "width 0", $"[{ok}, {Described("\"inputWidth\":0")}]", "[1].inputWidth" },
            { "height not whole", $"[{ok}, {Described("\"inputHeight\":12.5")}]", "[1].inputHeight" },
            { "width too large", $"[{ok}, {Described("\"inputWidth\":100001")}]", "[1].inputWidth" },
            { "33 features", $"[{ok}, {Described($"\"features\":[{string.Join(",", Enumerable.Repeat("1", 33))}]")}]", "[1].features" },
            { "no features", $"[{ok}, {Described("\"features\":[]")}]", "[1].features" },
            { "a huge feature", $"[{ok}, {Described("\"features\":[1,2,1e10]")}]", "[1].features[2]" },
            { "a feature as text", $"[{ok}, {Described("\"features\":[1,\"Infinity\"]")}]", "[1].features[1]" },
            { "11 top-k entries", $"[{ok}, {Described($"\"topK\":[{string.Join(",", Enumerable.Range(0, 11).Select(i => $"{{\"label\":\"l{i}\",\"score\":0.05}}"))}]")}]", "[1].topK" },
            { "a top-k label twice", $"[{ok}, {Described("\"topK\":[{\"label\":\"a\",\"score\":0.5},{\"label\":\"a\",\"score\":0.4}]")}]", "[1].topK[1].label" },
            { "a top-k score above 1", $"[{ok}, {Described("\"topK\":[{\"label\":\"a\",\"score\":1.5}]")}]", "[1].topK[0].score" },
            { "a top-k entry null", $"[{ok}, {Described("\"topK\":[{\"label\":\"a\",\"score\":0.5},null]")}]", "[1].topK[1]" },
            { "a top-k label missing", $"[{ok}, {Described("\"topK\":[{\"score\":0.5}]")}]", "[1].topK[0].label" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_batch_is_refused_with_the_offending_field_and_nothing_is_stored(string what, string body, string field)
    {
        var before = await factory.CountStoredAsync();
        var response = await PostRawAsync(client, body);
        var problem = await JsonAsync(response);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(field == "body" ? "body" : field, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await factory.CountStoredAsync());
    }

    [Fact]
    public async Task A_bad_event_deep_in_a_large_batch_is_named_by_its_index_in_the_whole_batch()
    {
        // About 1 MB: the serializer reads it in many buffers, and its own path counts from each buffer's first event.
        var before = await factory.CountStoredAsync();
        var batch = Batch("deep", 6000, Day.AddDays(5));
        batch[5321] = new { eventId = "deep-bad", release = OnlineFactory.First, module = OnlineFactory.Recognizer, timestamp = Day, latencyMs = "slow", corrected = false };
        var wrongType = await JsonAsync(await PostAsync(client, batch));
        Assert.Equal("[5321].latencyMs", wrongType.GetProperty("field").GetString());
        Assert.Equal(5321, wrongType.GetProperty("index").GetInt32());
        Assert.Equal("[5321].latencyMs must be a number of milliseconds.", wrongType.GetProperty("detail").GetString());

        var json = JsonSerializer.Serialize(batch.Take(4999)).TrimEnd(']') + ",{\"eventId\":\"deep-syntax\",\"latencyMs\":abc}]";
        var notJson = await JsonAsync(await PostRawAsync(client, json));
        Assert.Equal("[4999]", notJson.GetProperty("field").GetString());
        Assert.StartsWith("The body is not valid JSON in or after event [4999]:", notJson.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await factory.CountStoredAsync());
    }

    [Fact]
    public async Task More_than_10000_events_are_refused_at_the_10001st_and_nothing_is_stored()
    {
        var before = await factory.CountStoredAsync();
        var body = "[" + string.Join(",", Enumerable.Repeat("{}", 10_001)) + "]";
        var problem = await JsonAsync(await PostRawAsync(client, body));
        Assert.Equal("[10000]", problem.GetProperty("field").GetString());
        Assert.Contains("10,000", problem.GetProperty("detail").GetString());

        // 10,000 is still a batch (here refused for its first event's missing id, after all were read).
        var full = await JsonAsync(await PostRawAsync(client, "[" + string.Join(",", Enumerable.Repeat("{}", 10_000)) + "]"));
        Assert.Equal("[0].eventId", full.GetProperty("field").GetString());
        Assert.Equal(before, await factory.CountStoredAsync());
    }

    [Fact]
    public async Task A_full_batch_of_10000_valid_events_is_stored_whole()
    {
        var batch = Batch("full", 10_000, Day.AddDays(3));
        var result = await JsonAsync(await PostAsync(client, batch));
        Assert.Equal(10_000, result.GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_byte_limit_is_refused_with_or_without_a_length(bool withLength)
    {
        var before = await factory.CountStoredAsync();
        // 2 MiB limit (Online:MaxBatchMb in the factory); 8,000 events of ~390 bytes are about 3 MB.
        var json = JsonSerializer.Serialize(Enumerable.Range(0, 8000)
            .Select(i => Event($"big-{i}", OnlineFactory.First, OnlineFactory.Recognizer, Day, 5, predicted: new string('p', 200))));
        HttpContent content = withLength
            ? new StringContent(json, Encoding.UTF8, "application/json")
            : new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json");
        var response = await client.PostAsync("/api/events", content);
        var problem = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", problem.GetProperty("field").GetString());
        Assert.Contains("2 MiB", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await factory.CountStoredAsync());
    }

    /// <summary>A body whose length is unknown, so the request goes out chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
