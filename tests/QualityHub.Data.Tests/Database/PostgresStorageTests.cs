using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Online;

namespace QualityHub.Data.Tests.Database;

/// <summary>
/// What only PostgreSQL has: its start-up refusals, a database created on first start, and several instances writing
/// into one database at once. On the run's throwaway server (TestSupport's PostgresTestServer), a database per test.
/// </summary>
[Trait("Engine", "postgres")]
public sealed class PostgresStorageTests
{
    private static Storage On(string connectionString, TempFolder folder) => new(folder.Path, more: new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "postgres",
        ["ConnectionStrings:QualityHub"] = connectionString,
    });

    private static async Task<string> NewDatabaseAsync() =>
        (await PostgresTestServer.SharedAsync()).ConnectionStringFor($"qh_{Guid.NewGuid():N}");

    [Fact]
    public async Task A_missing_database_is_created_and_migrated_on_first_start()
    {
        using var folder = new TempFolder();
        await using var storage = On(await NewDatabaseAsync(), folder);

        await storage.Initializer.InitializeAsync();

        await using var db = await storage.CreateContextAsync();
        Assert.True(db.Database.IsNpgsql());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await db.Modules.CountAsync());
    }

    [Fact]
    public async Task An_unreachable_server_is_refused_in_one_line_naming_host_and_port_and_no_password()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var folder = new TempFolder();
        await using var storage = On($"Host=127.0.0.1;Port={closedPort};Username=qualityhub;Password=hunter2-secret;Database=qualityhub;Timeout=3", folder);

        var refusal = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Contains($"PostgreSQL at 127.0.0.1:{closedPort} cannot be used", refusal.Message);
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.DoesNotContain("hunter2", refusal.Message);
    }

    [Fact]
    public async Task Without_a_connection_string_the_refusal_names_the_setting()
    {
        using var folder = new TempFolder();
        await using var storage = new Storage(folder.Path, more: new Dictionary<string, string?> { ["Storage:Provider"] = "postgres" });

        var refusal = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Contains("ConnectionStrings:QualityHub is not set", refusal.Message);
    }

    [Fact]
    public async Task An_unknown_provider_is_refused_naming_the_choices()
    {
        using var folder = new TempFolder();
        await using var storage = new Storage(folder.Path, more: new Dictionary<string, string?> { ["Storage:Provider"] = "oracle" });

        var refusal = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Equal("Storage:Provider is 'oracle'; it must be sqlite (the default) or postgres.", refusal.Message);
    }

    [Fact]
    public async Task A_database_that_belongs_to_something_else_is_left_untouched()
    {
        var server = await PostgresTestServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var name = connectionString.Split("Database=")[1].TrimEnd(';');
        await server.PsqlAsync(name, "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (7);");
        using var folder = new TempFolder();
        await using var storage = On(connectionString, folder);

        var refusal = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Contains("belongs to something else (tables: invoices)", refusal.Message);
        Assert.Equal("7", (await server.PsqlAsync(name, "SELECT id FROM invoices;")).Trim());
        Assert.Equal("0", (await server.PsqlAsync(name, "SELECT count(*) FROM information_schema.tables WHERE table_name = '__EFMigrationsHistory';")).Trim());
    }

    [Fact]
    public async Task A_schema_newer_than_the_app_is_refused()
    {
        var connectionString = await NewDatabaseAsync();
        using var folder = new TempFolder();
        await using (var first = On(connectionString, folder))
        {
            await first.Initializer.InitializeAsync();
            await using var db = await first.CreateContextAsync();
            await db.Database.ExecuteSqlRawAsync("INSERT INTO \"__EFMigrationsHistory\" VALUES ('29991231000000_FromTheFuture', '99.0.0')");
        }

        await using var again = On(connectionString, folder);
        var refusal = await Assert.ThrowsAsync<StartupException>(() => again.Initializer.InitializeAsync());

        Assert.Contains("was written by a newer QualityHub (migration 29991231000000_FromTheFuture is unknown to this version)", refusal.Message);
    }

    [Fact]
    public async Task Two_instances_ingesting_overlapping_batches_at_once_store_each_event_once_and_count_it_once()
    {
        var connectionString = await NewDatabaseAsync();
        using var folder = new TempFolder();
        await using var a = On(connectionString, folder);
        await using var b = On(connectionString, folder);
        await a.Initializer.InitializeAsync();
        var (releaseId, moduleId) = await SeedReleaseAsync(a);

        // 40 batches of 500 for each instance: both send every even id (one in the opposite order), each its own odd ids.
        var start = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        OnlineEventRow Event(string id, int i) => new(id, releaseId, moduleId, start.AddSeconds(i % 600), 10 + i % 90, "x", i % 7 == 0, i % 7 == 0 ? "y" : null);
        List<OnlineEventRow> Batch(string own, int batch) => Enumerable.Range(batch * 500, 500)
            .Select(i => i % 2 == 0 ? Event($"shared-{i}", i) : Event($"{own}-{i}", i)).ToList();
        var storeA = new OnlineEventStore(a.Get<IDbContextFactory<QualityHubDbContext>>());
        var storeB = new OnlineEventStore(b.Get<IDbContextFactory<QualityHubDbContext>>());

        var results = await Task.WhenAll(
            Task.Run(async () => await Task.WhenAll(Enumerable.Range(0, 40).Select(k => storeA.WriteAsync(Batch("a", k))))),
            Task.Run(async () => await Task.WhenAll(Enumerable.Range(0, 40).Select(k => storeB.WriteAsync(Enumerable.Reverse(Batch("b", k)).ToList())))));

        var accepted = results.SelectMany(r => r).Sum(r => r.Accepted);
        var duplicates = results.SelectMany(r => r).Sum(r => r.Duplicates);
        Assert.Equal((10_000 + 10_000 + 10_000, 10_000), (accepted, duplicates)); // shared once, each own half once
        await AssertEventsCountedOnceAsync(a, 30_000);
    }

    [Fact]
    public async Task One_instance_writing_many_overlapping_batches_at_once_stores_each_event_once_and_counts_it_once()
    {
        var connectionString = await NewDatabaseAsync();
        using var folder = new TempFolder();
        await using var app = On(connectionString, folder);
        await app.Initializer.InitializeAsync();
        var (releaseId, moduleId) = await SeedReleaseAsync(app);

        // 30 batches of 400 sent at once (more than the store writes side by side): batch k holds ids 200k … 200k+399,
        // so each id but the first and last 200 comes in two batches, in the same minutes and hours.
        var start = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        List<OnlineEventRow> Batch(int k) => Enumerable.Range(200 * k, 400)
            .Select(i => new OnlineEventRow($"e-{i}", releaseId, moduleId, start.AddSeconds(i % 300), 5 + i % 40, "x", i % 5 == 0, i % 5 == 0 ? "y" : null))
            .ToList();
        var store = new OnlineEventStore(app.Get<IDbContextFactory<QualityHubDbContext>>());

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(k => Task.Run(() => store.WriteAsync(Batch(k)))));

        const int distinct = 200 * 29 + 400;
        Assert.Equal((distinct, 30 * 400 - distinct), (results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates)));
        await AssertEventsCountedOnceAsync(app, distinct);
    }

    // The store holds this many events, and its minute and hour aggregates count, correct and sum exactly those.
    private static async Task AssertEventsCountedOnceAsync(Storage app, int events)
    {
        await using var db = await app.CreateContextAsync();
        Assert.Equal(events, await db.OnlineEvents.CountAsync());
        foreach (var seconds in new[] { OnlineAggregate.MinuteSeconds, OnlineAggregate.HourSeconds })
        {
            var aggregates = await db.OnlineAggregates.Where(g => g.BucketSeconds == seconds).ToListAsync();
            Assert.Equal(events, aggregates.Sum(g => g.Count));
            Assert.Equal(await db.OnlineEvents.CountAsync(e => e.Corrected), aggregates.Sum(g => g.Corrections));
            Assert.Equal(await db.OnlineEvents.SumAsync(e => e.LatencyMs), aggregates.Sum(g => g.LatencySumMs), 6);
        }
    }

    [Fact]
    public async Task Predictions_go_in_by_binary_copy_with_their_nulls_and_count_into_the_runs_progress()
    {
        var connectionString = await NewDatabaseAsync();
        using var folder = new TempFolder();
        await using var storage = On(connectionString, folder);
        await storage.Initializer.InitializeAsync();
        var (runId, sampleIds) = await StoredRuns.SeedAsync(storage);
        var predictions = sampleIds.Select((id, i) => new Prediction
        {
            SampleId = id,
            Output = i == 1 ? null : $"out-{i}",
            Confidence = i == 2 ? null : 0.5 + i / 10.0,
            TopKJson = i == 0 ? """[{"label":"a","p":0.9}]""" : null,
            QueueMs = 1.25,
            PreprocessMs = 0.5,
            ComputeMs = 3.75,
            PostprocessMs = 0.125,
            BatchSize = 3,
            Error = i == 1 ? "model refused the input" : null,
            Loss = i == 2 ? null : 0.1 * i,
            EditDistance = i == 0 ? 2 : null,
        }).ToList();

        await using (var writer = await PredictionWriter.OpenAsync(storage.Get<IDbContextFactory<QualityHubDbContext>>(), runId, "test-instance", CancellationToken.None))
        {
            await writer.WriteAsync(predictions);
        }

        await using var db = await storage.CreateContextAsync();
        var stored = await db.Predictions.Where(p => p.EvaluationRunId == runId).OrderBy(p => p.SampleId).ToListAsync();
        Assert.Equal(
            predictions.Select(p => (p.SampleId, p.Output, p.Confidence, p.TopKJson, p.QueueMs, p.ComputeMs, p.BatchSize, p.Error, p.Loss, p.EditDistance)),
            stored.Select(p => (p.SampleId, p.Output, p.Confidence, p.TopKJson, p.QueueMs, p.ComputeMs, p.BatchSize, p.Error, p.Loss, p.EditDistance)));
        Assert.Equal(3, (await db.EvaluationRuns.SingleAsync(r => r.Id == runId)).CompletedSamples);
    }

    [Fact]
    public async Task Two_instances_claiming_at_once_never_claim_the_same_run()
    {
        var connectionString = await NewDatabaseAsync();
        using var folder = new TempFolder();
        await using var a = On(connectionString, folder);
        await using var b = On(connectionString, folder);
        await a.Initializer.InitializeAsync();
        var (firstRun, _) = await StoredRuns.SeedAsync(a);
        await using (var db = await a.CreateContextAsync())
        {
            var first = await db.EvaluationRuns.SingleAsync(r => r.Id == firstRun);
            first.Status = RunStatus.Queued;
            db.EvaluationRuns.AddRange(Enumerable.Range(0, 39).Select(_ => new EvaluationRun { ModelVersionId = first.ModelVersionId, DatasetId = first.DatasetId, TotalSamples = 3, CreatedAt = DateTimeOffset.UtcNow }));
            await db.SaveChangesAsync();
        }

        // Both start together; which one claims how many is the scheduler's business (on a busy machine one may take
        // all 40 before the other's first claim), so what is checked is that no run is ever claimed twice.
        using var start = new Barrier(2);
        async Task<List<int>> ClaimAllAsync(EvaluationLeases leases)
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            var mine = new List<int>();
            while (await leases.ClaimNextAsync([]) is { } run)
            {
                mine.Add(run);
            }

            return mine;
        }

        var claims = await Task.WhenAll(Task.Run(() => ClaimAllAsync(a.Get<EvaluationLeases>())), Task.Run(() => ClaimAllAsync(b.Get<EvaluationLeases>())));

        Assert.Empty(claims[0].Intersect(claims[1]));
        Assert.Equal(40, claims[0].Count + claims[1].Count);
        await using var check = await a.CreateContextAsync();
        Assert.Equal(40, await check.EvaluationRuns.CountAsync(r => r.Status == RunStatus.Running && r.LeaseOwner != null));
        var owners = await check.EvaluationRuns.Select(r => r.LeaseOwner).Distinct().ToListAsync();
        Assert.Subset(new HashSet<string?>([a.Get<InstanceIdentity>().Id, b.Get<InstanceIdentity>().Id]), owners.ToHashSet());
    }

    [Fact]
    public async Task A_run_whose_lease_expired_is_taken_over_and_the_old_holder_can_no_longer_write_it()
    {
        var connectionString = await NewDatabaseAsync();
        using var folder = new TempFolder();
        await using var a = On(connectionString, folder);
        await using var b = On(connectionString, folder);
        await a.Initializer.InitializeAsync();
        var (runId, sampleIds) = await StoredRuns.SeedAsync(a);
        await using (var db = await a.CreateContextAsync())
        {
            await db.EvaluationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued));
        }

        var leasesA = a.Get<EvaluationLeases>();
        var leasesB = b.Get<EvaluationLeases>();
        Assert.Equal(runId, await leasesA.ClaimNextAsync([]));
        Assert.Null(await leasesB.ClaimNextAsync([])); // held: nothing to take
        Prediction Predicted(long sample) => new() { SampleId = sample, Output = "x", BatchSize = 1 };
        await using var writerA = await PredictionWriter.OpenAsync(a.Get<IDbContextFactory<QualityHubDbContext>>(), runId, a.Get<InstanceIdentity>().Id, CancellationToken.None);
        await writerA.WriteAsync([Predicted(sampleIds[0])]);

        // A stalls past its lease (made to have expired, rather than waited for); B takes the run over.
        await using (var db = await a.CreateContextAsync())
        {
            await db.EvaluationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)));
        }

        Assert.Equal(runId, await leasesB.ClaimNextAsync([]));
        await Assert.ThrowsAsync<LeaseLostException>(() => writerA.WriteAsync([Predicted(sampleIds[1])]));
        Assert.Empty(await leasesA.RenewAsync([runId]));
        Assert.Equal([runId], await leasesB.RenewAsync([runId]));

        await using var check = await a.CreateContextAsync();
        var run = await check.EvaluationRuns.SingleAsync(r => r.Id == runId);
        Assert.Equal((b.Get<InstanceIdentity>().Id, 1), (run.LeaseOwner, run.CompletedSamples));
        Assert.Equal([sampleIds[0]], await check.Predictions.Where(p => p.EvaluationRunId == runId).Select(p => p.SampleId).ToListAsync());
    }

    private static async Task<(int ReleaseId, int ModuleId)> SeedReleaseAsync(Storage storage)
    {
        await using var db = await storage.CreateContextAsync();
        var module = new Module { Name = "fashion", TaskType = TaskType.ImageClassification, InputDescription = "image", OutputDescription = "class", CreatedAt = DateTimeOffset.UtcNow };
        var release = new Release { Name = "2026.12", CreatedAt = DateTimeOffset.UtcNow };
        db.AddRange(module, release);
        await db.SaveChangesAsync();
        return (release.Id, module.Id);
    }
}
