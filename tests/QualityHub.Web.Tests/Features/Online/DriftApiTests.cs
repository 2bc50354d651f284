using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityHub.Core.Drift;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Online;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>Descriptors on events, the hourly drift histograms they feed, and GET /api/online/drift's refusals and its "what to run".</summary>
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
}

/// <summary>
/// The demo's drift episode, on a fresh install whose demo models were evaluated: found in the right windows on the
/// right descriptors, and the undrifted days before it raise nothing.
/// </summary>
public sealed class DemoDriftEpisodeTests(EvaluatedDemoQualityHubFactory factory) : IClassFixture<EvaluatedDemoQualityHubFactory>
{
    [Fact]
    public async Task The_darker_inputs_and_the_corrected_sneakers_are_found_after_the_episode_starts_and_nothing_before()
    {
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        var stream = factory.Services.GetServices<IHostedService>().OfType<OnlineDemoEvents>().Single();
        await stream.Completion;
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var last = (await db.OnlineEvents.Select(e => e.Timestamp).ToListAsync()).Max();
        var end = new DateTimeOffset(last.UtcTicks - last.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        var episode = end - OnlineDemoEvents.DriftEpisode;
        var after = new DateTimeOffset(episode.UtcTicks - episode.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(1); // the first whole drifted hour
        var client = factory.CreateClient();
        async Task<JsonElement> ReportAsync(DateTimeOffset from, DateTimeOffset to) => await JsonAsync(await client.GetAsync(
            $"/api/online/drift?module={DemoContentLoader.FashionModule}&release=2026.10&step=day&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"));

        // Before: 2026.10 took all traffic 4 days before the end, 6 hours after its approval; the day before the episode is undrifted.
        var before = await ReportAsync(after.AddDays(-1).AddHours(-1), after.AddHours(-1));
        Assert.NotEqual(JsonValueKind.Null, before.GetProperty("reference").ValueKind);
        Assert.True(before.GetProperty("events").GetInt64() > 1000, before.GetProperty("events").ToString());
        Assert.Empty(before.GetProperty("alerts").EnumerateArray());
        Assert.All(before.GetProperty("measures").EnumerateArray(), m => Assert.NotEqual("alert", m.GetProperty("status").GetString()));

        var drifted = await ReportAsync(after, after.AddDays(1));
        string StatusOf(string measure) => drifted.GetProperty("measures").EnumerateArray().Single(m => m.GetProperty("name").GetString() == measure).GetProperty("status").GetString()!;
        Assert.Equal("alert", StatusOf("psi:brightness"));
        Assert.Equal("alert", StatusOf("ks:brightness"));
        Assert.Equal("alert", StatusOf("psi:contrast"));
        Assert.Equal("ok", StatusOf("psi:inputWidth")); // the size did not change
        Assert.Equal("ok", StatusOf("chi-square:label")); // nor what the model answers
        var top = drifted.GetProperty("topDrifting").EnumerateArray().Take(3).Select(d => d.GetProperty("descriptor").GetString()).Order().ToList();
        Assert.Equal(["blur", "brightness", "contrast"], top);
        var sneakers = drifted.GetProperty("correctionsByLabel").EnumerateArray().Single(r => r.GetProperty("key").GetString() == OnlineDemoEvents.EpisodeLabel);
        Assert.Equal("alert", sneakers.GetProperty("status").GetString());
        Assert.All(drifted.GetProperty("correctionsByLabel").EnumerateArray().Where(r => r.GetProperty("key").GetString() != OnlineDemoEvents.EpisodeLabel),
            r => Assert.NotEqual("alert", r.GetProperty("status").GetString()));
    }
}
