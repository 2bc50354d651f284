using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>
/// The app on an empty database with two modules and two releases of its own (no demo), and alert thresholds the tests
/// aim at: module "alert-rate" alerts above 20 % corrections, "alert-latency" above a p95 of 100 ms, from 10 events.
/// </summary>
public sealed class OnlineFactory : QualityHubFactory, IAsyncLifetime
{
    public const string Recognizer = "online-recognizer";
    public const string Classifier = "online-classifier";
    public const string AlertRate = "alert-rate";
    public const string AlertLatency = "alert-latency";
    public const string AlertSuperseded = "alert-superseded";
    public const string First = "r-2026.1";
    public const string Second = "r-2026.2";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Online:MaxBatchMb"] = "2",
        ["Online:Alerts:MinEvents"] = "10",
        ["Online:Alerts:Default:MaxCorrectionRate"] = "0.9",
        ["Online:Alerts:Default:MaxP95LatencyMs"] = "50000",
        ["Online:Alerts:Modules:alert-rate:MaxCorrectionRate"] = "0.2",
        ["Online:Alerts:Modules:alert-latency:MaxP95LatencyMs"] = "100",
        ["Online:Alerts:Modules:alert-superseded:MaxP95LatencyMs"] = "100",
    };

    public Dictionary<string, int> ModuleIds { get; } = [];

    public Dictionary<string, int> ReleaseIds { get; } = [];

    public async Task InitializeAsync()
    {
        _ = CreateClient(); // starts the host, which migrates the database
        await using var db = await Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        var versions = new List<ModelVersion>();
        foreach (var name in new[] { Recognizer, Classifier, AlertRate, AlertLatency, AlertSuperseded })
        {
            var module = new Module { Name = name, TaskType = TaskType.TextRecognition, InputDescription = "test input", OutputDescription = "test output", CreatedAt = now };
            db.Modules.Add(module);
            versions.Add(new ModelVersion { Module = module, Name = $"{name}-v1", Sha256 = new string('a', 64), FileName = "m.onnx", CreatedAt = now });
        }

        db.ModelVersions.AddRange(versions);
        db.Releases.Add(new Release { Name = First, CreatedAt = now.AddDays(-30), Entries = versions.Select(v => new ReleaseEntry { Module = v.Module, ModelVersion = v }).ToList() });
        db.Releases.Add(new Release { Name = Second, CreatedAt = now.AddDays(-10), Entries = [new ReleaseEntry { Module = versions[0].Module, ModelVersion = versions[0] }] });
        await db.SaveChangesAsync();
        foreach (var m in await db.Modules.ToListAsync())
        {
            ModuleIds[m.Name] = m.Id;
        }

        foreach (var r in await db.Releases.ToListAsync())
        {
            ReleaseIds[r.Name] = r.Id;
        }
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    /// <summary>Rows in the two online tables, to prove a refused batch left nothing behind.</summary>
    public async Task<(int Events, int Aggregates, long AggregatedCount)> CountStoredAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        return (await db.OnlineEvents.CountAsync(), await db.OnlineAggregates.CountAsync(), await db.OnlineAggregates.SumAsync(a => (long?)a.Count) ?? 0);
    }

    /// <summary>Every aggregate row in key order, histograms as text, so two snapshots can be compared.</summary>
    public async Task<List<string>> SnapshotAggregatesAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var rows = await db.OnlineAggregates.AsNoTracking().ToListAsync();
        return rows.OrderBy(a => a.ModuleId).ThenBy(a => a.BucketSeconds).ThenBy(a => a.BucketStart).ThenBy(a => a.ReleaseId)
            .Select(a => $"{a.ModuleId} {a.BucketSeconds} {a.BucketStart:O} {a.ReleaseId} {a.Count} {a.Corrections} {a.LatencySumMs:R} {Convert.ToHexString(a.LatencyHistogram)}")
            .ToList();
    }
}

/// <summary>Builds event JSON for the tests.</summary>
public static class Events
{
    public static object Event(string id, string release, string module, DateTimeOffset at, double latencyMs, bool corrected = false, string predicted = "1234") => new
    {
        eventId = id,
        release,
        module,
        timestamp = at,
        latencyMs,
        predicted,
        corrected,
        correctedValue = corrected ? "1235" : null,
    };

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, IEnumerable<object> events) =>
        await client.PostAsJsonAsync("/api/events", events);

    public static async Task<HttpResponseMessage> PostRawAsync(HttpClient client, string body) =>
        await client.PostAsync("/api/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
