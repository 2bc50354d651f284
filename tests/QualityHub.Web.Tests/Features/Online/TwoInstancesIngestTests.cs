using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>
/// Two portal instances ingesting online events into one PostgreSQL database at once, with event ids repeated across
/// them (a producer's retries reaching the other instance): nothing is lost, nothing is counted twice, and every
/// minute and hour aggregate equals what its stored events add up to.
/// </summary>
[Trait("Engine", "postgres")]
public sealed class TwoInstancesIngestTests
{
    [Fact]
    public async Task Batches_posted_to_two_instances_at_once_are_stored_once_and_the_aggregates_equal_the_events()
    {
        var server = await PostgresTestServer.SharedAsync();
        var settings = TestDatabase.NewPostgresDatabase(server);
        settings["Online:DemoEvents"] = "false";
        using var folderA = new TempFolder();
        using var folderB = new TempFolder();
        await using var a = new ConfiguredQualityHubFactory(folderA.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        await using var b = new ConfiguredQualityHubFactory(folderB.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        _ = b.CreateClient();
        var modules = await SeedAsync(a);

        // 16 batches of 400 events over two modules and three hours; every batch repeats 100 ids of the batch before it,
        // and consecutive batches go to different instances, so the repeats race each other across instances.
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var random = new Random(20);
        var batches = Enumerable.Range(0, 16).Select(batch => Enumerable.Range(0, 400).Select(i =>
        {
            var n = i < 100 && batch > 0 ? (batch - 1) * 400 + 300 + i : batch * 400 + i;
            return new
            {
                eventId = $"evt-{n}",
                release = "r-ingest",
                module = modules[n % 2],
                timestamp = start.AddSeconds(n % 10_000),
                latencyMs = 5 + n % 97,
                predicted = "1234",
                corrected = n % 7 == 0,
                correctedValue = n % 7 == 0 ? "1235" : null,
            };
        }).OrderBy(_ => random.Next()).ToList()).ToList();
        var distinct = batches.SelectMany(batch => batch.Select(e => e.eventId)).Distinct().Count();

        var results = await Task.WhenAll(batches.Select(async (batch, i) =>
        {
            using var http = (i % 2 == 0 ? a : b).CreateClient();
            var response = await http.PostAsJsonAsync("/api/events", batch);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }));

        Assert.Equal(distinct, results.Sum(r => r.GetProperty("accepted").GetInt32()));
        Assert.Equal(16 * 400 - distinct, results.Sum(r => r.GetProperty("duplicates").GetInt32()));
        await using var db = await a.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var events = await db.OnlineEvents.AsNoTracking().ToListAsync();
        Assert.Equal(distinct, events.Count);
        Assert.Equal(distinct, events.Select(e => e.EventId).Distinct().Count());
        var aggregates = await db.OnlineAggregates.AsNoTracking().ToListAsync();
        foreach (var seconds in new[] { OnlineAggregate.MinuteSeconds, OnlineAggregate.HourSeconds })
        {
            var expected = events
                .GroupBy(e => (e.ModuleId, Start: e.Timestamp.ToUnixTimeSeconds() / seconds * seconds))
                .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Corrections: (long)g.Count(e => e.Corrected), Latency: g.Sum(e => e.LatencyMs)));
            var stored = aggregates.Where(x => x.BucketSeconds == seconds)
                .ToDictionary(x => (x.ModuleId, Start: x.BucketStart.ToUnixTimeSeconds()), x => (x.Count, x.Corrections, Latency: x.LatencySumMs));
            Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
            foreach (var (key, value) in expected)
            {
                Assert.Equal((value.Count, value.Corrections), (stored[key].Count, stored[key].Corrections));
                Assert.Equal(value.Latency, stored[key].Latency, 6);
            }
        }
    }

    private static async Task<string[]> SeedAsync(QualityHubFactory app)
    {
        _ = app.CreateClient();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        string[] names = ["ingest-recognizer", "ingest-classifier"];
        var entries = names.Select(name =>
        {
            var module = new Module { Name = name, TaskType = TaskType.TextRecognition, InputDescription = "a text line", OutputDescription = "its text", CreatedAt = now };
            return new ReleaseEntry { Module = module, ModelVersion = new ModelVersion { Module = module, Name = $"{name}-v1", Sha256 = new string('c', 64), FileName = "m.onnx", CreatedAt = now } };
        }).ToList();
        db.Releases.Add(new Release { Name = "r-ingest", CreatedAt = now.AddDays(-1), Entries = entries });
        await db.SaveChangesAsync();
        return names;
    }
}
