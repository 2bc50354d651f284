using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Drift;
using QualityHub.Data;
using QualityHub.Web.Features.Drift;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>Descriptors on events, the hourly drift histograms they feed, GET /api/online/drift and its distributions, retraining requests.</summary>
public sealed class DriftApiTests(OnlineFactory factory) : IClassFixture<OnlineFactory>
{
    private readonly HttpClient client = factory.CreateClient();
    private static readonly DateTimeOffset Day = new(2026, 10, 20, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Descriptors_are_stored_on_the_event_and_summed_into_hourly_drift_histograms_once()
    {
        var events = Enumerable.Range(0, 40).Select(i => (object)new
        {
            eventId = $"described-{i}",
            release = OnlineFactory.First,
            module = OnlineFactory.Classifier,
            timestamp = Day.AddMinutes(i * 3), // two hours
            latencyMs = 12.5,
            predicted = i % 2 == 0 ? "AB 12" : "CD",
            corrected = i % 4 == 0,
            confidence = 0.91,
            topK = new[] { new { label = "AB 12", score = 0.91 }, new { label = "CD", score = 0.05 } },
            inputWidth = 320,
            inputHeight = 48,
            brightness = i < 20 ? 0.25 : 0.75,
            contrast = 0.125,
            blur = 0.02,
            features = new[] { 1.5, -3.0 },
        }).ToList();
        Assert.Equal(40, (await JsonAsync(await PostAsync(client, events))).GetProperty("accepted").GetInt32());
        Assert.Equal(0, (await JsonAsync(await PostAsync(client, events))).GetProperty("accepted").GetInt32()); // sent twice, counted once

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var stored = await db.OnlineEvents.AsNoTracking().SingleAsync(e => e.EventId == "described-3");
        Assert.Equal((0.91, 320, 48, 0.25, 0.125, 0.02), (stored.Confidence, stored.InputWidth, stored.InputHeight, stored.Brightness, stored.Contrast, stored.Blur));
        Assert.Equal("[1.5,-3]", stored.FeaturesJson);
        Assert.Equal("""[{"label":"AB 12","score":0.91},{"label":"CD","score":0.05}]""", stored.TopKJson);

        var module = factory.ModuleIds[OnlineFactory.Classifier];
        var rows = await db.DriftAggregates.AsNoTracking().Where(a => a.ModuleId == module).ToListAsync();
        Assert.Equal([Day, Day.AddHours(1)], rows.Select(r => r.HourStart).Distinct().Order());
        DriftHistogram Sum(string descriptor)
        {
            var sum = new DriftHistogram();
            foreach (var row in rows.Where(r => r.Descriptor == descriptor))
            {
                sum.AddJson(row.Events, row.Bins);
            }

            return sum;
        }

        var brightness = Sum("brightness");
        Assert.Equal(40, brightness.Events);
        Assert.Equal(new DriftBin(20, 5), brightness.Bins[DriftHistogram.KeyOf(DriftDescriptors.Brightness.Scale!.BinOf(0.25))]);
        Assert.Equal(new DriftBin(20, 5), brightness.Bins[DriftHistogram.KeyOf(DriftDescriptors.Brightness.Scale!.BinOf(0.75))]);
        Assert.Equal(40, Sum("feature:1").Events);
        Assert.Equal(40, Sum("textLength").Events); // the module recognises text: its answers' lengths and characters
        var characters = Sum("charClass");
        Assert.Equal((40, (20 * 5) + (20 * 2)), (characters.Events, characters.Members)); // "AB 12" and "CD"
        Assert.Equal(new DriftBin(20, 10), characters.Bins["space"]); // every fourth event corrected, all of them "AB 12"
    }

    [Fact]
    public async Task A_release_without_a_reference_run_is_told_what_to_run_and_nothing_is_claimed()
    {
        var events = Enumerable.Range(0, 250).Select(i => Event($"noref-{i}", OnlineFactory.First, OnlineFactory.AlertSuperseded, Day.AddDays(2).AddSeconds(i * 10), 20)).ToList();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, events)).StatusCode);

        var report = await JsonAsync(await client.GetAsync($"/api/online/drift?module={OnlineFactory.AlertSuperseded}"));

        Assert.Equal(OnlineFactory.First, report.GetProperty("release").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("reference").ValueKind);
        Assert.Contains("test set", report.GetProperty("referenceMissing").GetString());
        Assert.Empty(report.GetProperty("measures").EnumerateArray());
        Assert.Empty(report.GetProperty("alerts").EnumerateArray());
        Assert.Equal(250, report.GetProperty("events").GetInt64());
    }

    public static TheoryData<string, HttpStatusCode, string> BadQueries() => new()
    {
        { "", HttpStatusCode.BadRequest, "module" },
        { "module=no-such-module", HttpStatusCode.NotFound, "module" },
        { $"module={OnlineFactory.Recognizer}&release=no-such-release", HttpStatusCode.NotFound, "release" },
        { $"module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&step=fortnight", HttpStatusCode.BadRequest, "step" },
        { $"module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", HttpStatusCode.BadRequest, "from" },
        { $"module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&from=2024-01-01T00:00:00Z&to=2026-11-01T00:00:00Z", HttpStatusCode.BadRequest, "from" },
        { $"module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z&step=hour", HttpStatusCode.BadRequest, "step" },
        { $"module={OnlineFactory.AlertRate}", HttpStatusCode.NotFound, "release" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_is_refused_naming_the_parameter(string query, HttpStatusCode status, string field)
    {
        var response = await client.GetAsync($"/api/online/drift?{query}");
        var problem = await JsonAsync(response);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
    // 300 events of the recogniser in release First over two hours, bright then dark, for the retraining and distribution tests.
    private async Task<(DateTimeOffset From, DateTimeOffset To)> WindowAsync(string prefix, DateTimeOffset start)
    {
        var events = Enumerable.Range(0, 300).Select(i => (object)new
        {
            eventId = $"{prefix}-{i}",
            release = OnlineFactory.First,
            module = OnlineFactory.Recognizer,
            timestamp = start.AddSeconds(i * 24),
            latencyMs = 20,
            predicted = "12 34",
            corrected = i % 10 == 0,
            brightness = i < 150 ? 0.6 : 0.3,
            contrast = 0.2,
        }).ToList();
        Assert.Equal(300, (await JsonAsync(await PostAsync(client, events))).GetProperty("accepted").GetInt32());
        return (start, start.AddHours(2));
    }

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

    [Fact]
    public async Task A_retraining_request_keeps_its_window_and_evidence_lists_with_its_module_moves_along_and_exports_its_slice()
    {
        var (from, to) = await WindowAsync("retrain", Day.AddDays(5));
        var created = await client.PostAsJsonAsync("/api/retraining-requests", new
        {
            module = OnlineFactory.Recognizer,
            release = OnlineFactory.First,
            trigger = "drift",
            reason = "  Inputs got darker at 10:00.  ",
            from,
            to,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var request = await JsonAsync(created);
        var id = request.GetProperty("id").GetInt32();
        Assert.Equal("drift", request.GetProperty("trigger").GetString());
        Assert.Equal("Inputs got darker at 10:00.", request.GetProperty("reason").GetString());
        Assert.Equal(300, request.GetProperty("windowEvents").GetInt64());
        Assert.Equal("open", request.GetProperty("status").GetString());
        var evidence = request.GetProperty("evidence");
        Assert.Contains("test set", evidence.GetProperty("referenceMissing").GetString()); // the recogniser has no reference run here
        Assert.Equal(RetrainingRequests.Examples, evidence.GetProperty("examples").GetArrayLength());
        Assert.Equal("retrain-299", evidence.GetProperty("examples")[0].GetProperty("eventId").GetString()); // newest first

        var listed = await JsonAsync(await client.GetAsync($"/api/retraining-requests?module={OnlineFactory.Recognizer}"));
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("id").GetInt32() == id);
        Assert.DoesNotContain((await JsonAsync(await client.GetAsync($"/api/retraining-requests?module={OnlineFactory.Classifier}"))).EnumerateArray(),
            r => r.GetProperty("id").GetInt32() == id);

        var moved = await client.PatchAsJsonAsync($"/api/retraining-requests/{id}", new { status = "inProgress" });
        Assert.Equal("inProgress", (await JsonAsync(moved)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PatchAsJsonAsync($"/api/retraining-requests/{id}", new { status = "finished" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsJsonAsync("/api/retraining-requests/987654", new { status = "done" })).StatusCode);

        var slice = await client.GetAsync(request.GetProperty("sliceUrl").GetString());
        Assert.Equal("application/x-ndjson", slice.Content.Headers.ContentType?.MediaType);
        var lines = (await slice.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"retrain-{i}"), lines.Select(l => l.GetProperty("eventId").GetString()));
        Assert.Equal(0.6, lines[0].GetProperty("brightness").GetDouble());
        Assert.Equal(0.3, lines[^1].GetProperty("brightness").GetDouble());
    }

    [Fact]
    public async Task A_request_without_a_window_stands_on_its_reason_and_has_no_slice()
    {
        var request = await JsonAsync(await client.PostAsJsonAsync("/api/retraining-requests", new { module = OnlineFactory.Classifier, trigger = "schedule", reason = "Quarterly retraining." }));
        Assert.Equal(JsonValueKind.Null, request.GetProperty("sliceUrl").ValueKind);
        Assert.Equal(0, request.GetProperty("windowEvents").GetInt64());
        var slice = await client.GetAsync($"/api/retraining-requests/{request.GetProperty("id").GetInt32()}/slice.jsonl");
        Assert.Equal(HttpStatusCode.NotFound, slice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/retraining-requests/987654/slice.jsonl")).StatusCode);
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests() => new()
    {
        { "no trigger", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"reason\":\"x\"}}", HttpStatusCode.BadRequest, "trigger" },
        { "unknown trigger", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"weekly\",\"reason\":\"x\"}}", HttpStatusCode.BadRequest, "trigger" },
        { "trigger as a number", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"1\",\"reason\":\"x\"}}", HttpStatusCode.BadRequest, "trigger" },
        { "blank reason", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"manual\",\"reason\":\"   \"}}", HttpStatusCode.BadRequest, "reason" },
        { "reason too long", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"manual\",\"reason\":\"{new string('r', 2001)}\"}}", HttpStatusCode.BadRequest, "reason" },
        { "from without to", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"manual\",\"reason\":\"x\",\"from\":\"2026-10-01T00:00:00Z\"}}", HttpStatusCode.BadRequest, "to" },
        { "to before from", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"manual\",\"reason\":\"x\",\"from\":\"2026-10-02T00:00:00Z\",\"to\":\"2026-10-01T00:00:00Z\"}}", HttpStatusCode.BadRequest, "from" },
        { "drift without a release", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"trigger\":\"drift\",\"reason\":\"x\",\"from\":\"2026-10-01T00:00:00Z\",\"to\":\"2026-10-02T00:00:00Z\"}}", HttpStatusCode.BadRequest, "release" },
        { "unknown module", "{\"module\":\"no-such-module\",\"trigger\":\"manual\",\"reason\":\"x\"}", HttpStatusCode.NotFound, "module" },
        { "unknown release", $"{{\"module\":\"{OnlineFactory.Recognizer}\",\"release\":\"no-such\",\"trigger\":\"manual\",\"reason\":\"x\"}}", HttpStatusCode.NotFound, "release" },
        { "no body", "", HttpStatusCode.BadRequest, "" },
        { "not JSON", "{\"module\":", HttpStatusCode.BadRequest, "" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_retraining_request_is_refused_naming_the_field_and_nothing_is_stored(string what, string body, HttpStatusCode status, string field)
    {
        var before = (await JsonAsync(await client.GetAsync("/api/retraining-requests"))).GetArrayLength();

        var response = await client.PostAsync("/api/retraining-requests", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.True(status == response.StatusCode, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (field.Length > 0)
        {
            Assert.Equal(field, (await JsonAsync(response)).GetProperty("field").GetString());
        }

        Assert.Equal(before, (await JsonAsync(await client.GetAsync("/api/retraining-requests"))).GetArrayLength());
    }

    [Fact]
    public async Task A_distribution_lists_the_windows_bins_with_their_shares_and_corrections()
    {
        var (from, to) = await WindowAsync("distribution", Day.AddDays(9));

        var distribution = await JsonAsync(await client.GetAsync(
            $"/api/online/drift/distribution?module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&descriptor=brightness&from={Iso(from)}&to={Iso(to)}"));

        Assert.Equal(300, distribution.GetProperty("windowEvents").GetInt64());
        Assert.Equal(0, distribution.GetProperty("referenceEvents").GetInt64());
        var bins = distribution.GetProperty("bins").EnumerateArray().ToList();
        Assert.Equal(31, bins.Count); // 0.30 to 0.60: bins 30 … 60, the empty ones between included
        Assert.Equal(("0.3–0.31", 150L, 0.5), (bins[0].GetProperty("label").GetString(), bins[0].GetProperty("windowCount").GetInt64(), bins[0].GetProperty("windowShare").GetDouble()));
        Assert.Equal(150, bins[^1].GetProperty("windowCount").GetInt64());
        Assert.Equal(0.1, bins[0].GetProperty("windowCorrectionRate").GetDouble(), 6);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(
            $"/api/online/drift/distribution?module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&descriptor=loudness&from={Iso(from)}&to={Iso(to)}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(
            $"/api/online/drift/distribution?module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&descriptor=brightness")).StatusCode);
    }

    [Fact]
    public async Task A_modules_thresholds_are_set_checked_and_used_by_its_drift_report()
    {
        var id = factory.ModuleIds[OnlineFactory.AlertLatency];
        var defaults = await JsonAsync(await client.GetAsync($"/api/modules/{id}/drift-settings"));
        Assert.Equal(0.1, defaults.GetProperty("psiWatch").GetDouble());

        var set = await client.PutAsJsonAsync($"/api/modules/{id}/drift-settings", new { psiWatch = 0.05, psiAlert = 0.2, minEvents = 50 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var stored = await JsonAsync(await client.GetAsync($"/api/modules/{id}/drift-settings"));
        Assert.Equal((0.05, 0.2, 50, 0.1), (stored.GetProperty("psiWatch").GetDouble(), stored.GetProperty("psiAlert").GetDouble(), stored.GetProperty("minEvents").GetInt32(), stored.GetProperty("jsWatch").GetDouble()));
        var events = Enumerable.Range(0, 20).Select(i => Event($"settings-{i}", OnlineFactory.First, OnlineFactory.AlertLatency, Day.AddDays(12).AddMinutes(i), 5)).ToList();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client, events)).StatusCode);
        var report = await JsonAsync(await client.GetAsync($"/api/online/drift?module={OnlineFactory.AlertLatency}"));
        Assert.Equal(50, report.GetProperty("settings").GetProperty("minEvents").GetInt32());

        var crossed = await client.PutAsJsonAsync($"/api/modules/{id}/drift-settings", new { psiWatch = 0.3, psiAlert = 0.2 });
        Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
        Assert.Equal("psiWatch", (await JsonAsync(crossed)).GetProperty("field").GetString());
        var tiny = await client.PutAsJsonAsync($"/api/modules/{id}/drift-settings", new { minEvents = 1 });
        Assert.Equal("minEvents", (await JsonAsync(tiny)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/modules/987654/drift-settings", new { psiWatch = 0.1 })).StatusCode);
        Assert.Equal(0.05, (await JsonAsync(await client.GetAsync($"/api/modules/{id}/drift-settings"))).GetProperty("psiWatch").GetDouble()); // refusals changed nothing
    }
}
