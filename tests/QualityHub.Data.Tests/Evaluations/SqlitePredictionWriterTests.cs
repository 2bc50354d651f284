using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Evaluations;

namespace QualityHub.Data.Tests.Evaluations;

/// <summary>
/// The prediction writer on SQLite, which binds its insert through SQLite's own calls: every column and null as
/// EF reads it back, a database another connection is writing to waited for, and a lost lease storing nothing.
/// </summary>
[Trait("Engine", "sqlite")]
public sealed class SqlitePredictionWriterTests : IAsyncLifetime
{
    private readonly TempFolder folder = new();
    private Storage storage = null!;
    private string databasePath = null!;

    public async Task InitializeAsync()
    {
        databasePath = Path.Combine(folder.Path, "qualityhub.db");
        storage = new Storage(folder.Path, databasePath);
        await storage.Initializer.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await storage.DisposeAsync();
        SqliteConnection.ClearAllPools();
        folder.Dispose();
    }

    private static List<Prediction> PredictionsFor(IReadOnlyList<long> sampleIds) => sampleIds.Select((id, i) => new Prediction
    {
        SampleId = id,
        Output = i == 1 ? null : $"Ankle boot – «{i}» 靴",
        Confidence = i == 2 ? null : 0.5 + i / 10.0,
        TopKJson = i == 0 ? """[{"label":"Ankle boot","p":0.999179},{"label":"Sneaker","p":0.00081}]""" : null,
        QueueMs = 1.25 + i,
        PreprocessMs = 0.5,
        ComputeMs = 3.75,
        PostprocessMs = 0.125,
        BatchSize = 3,
        Error = i == 1 ? "The model refused the input: 'x' \"y\"" : null,
        Loss = i == 2 ? null : 0.1 * i,
        EditDistance = i == 0 ? 2 : null,
    }).ToList();

    private static IEnumerable<object?> Columns(Prediction p) =>
        [p.SampleId, p.Output, p.Confidence, p.TopKJson, p.QueueMs, p.PreprocessMs, p.ComputeMs, p.PostprocessMs, p.BatchSize, p.Error, p.Loss, p.EditDistance];

    private Task<PredictionWriter> OpenAsync(int runId, string owner = "test-instance") =>
        PredictionWriter.OpenAsync(storage.Get<IDbContextFactory<QualityHubDbContext>>(), runId, owner, CancellationToken.None);

    [Fact]
    public async Task Every_column_and_null_is_read_back_as_written_and_counted_into_the_runs_progress()
    {
        var (runId, sampleIds) = await StoredRuns.SeedAsync(storage);
        var predictions = PredictionsFor(sampleIds);
        await using (var writer = await OpenAsync(runId))
        {
            await writer.WriteAsync(predictions[..2]);
            await writer.WriteAsync(predictions[2..]);
        }

        await using var db = await storage.CreateContextAsync();
        var stored = await db.Predictions.Where(p => p.EvaluationRunId == runId).OrderBy(p => p.SampleId).ToListAsync();
        Assert.Equal(predictions.Select(Columns), stored.Select(Columns));
        Assert.Equal(3, (await db.EvaluationRuns.SingleAsync(r => r.Id == runId)).CompletedSamples);
    }

    [Fact]
    public async Task A_batch_waits_while_another_connection_writes_and_is_then_stored_whole()
    {
        var (runId, sampleIds) = await StoredRuns.SeedAsync(storage);
        await using var other = new SqliteConnection($"Data Source={databasePath}");
        await other.OpenAsync();
        await using (var hold = other.CreateCommand())
        {
            hold.CommandText = "BEGIN IMMEDIATE;";
            await hold.ExecuteNonQueryAsync();
        }

        await using var writer = await OpenAsync(runId);
        var started = Stopwatch.GetTimestamp();
        var writing = Task.Run(() => writer.WriteAsync(PredictionsFor(sampleIds)));
        await Task.Delay(400);
        Assert.False(writing.IsCompleted); // held back by the other connection's write lock, not failed
        await using (var release = other.CreateCommand())
        {
            release.CommandText = "COMMIT;";
            await release.ExecuteNonQueryAsync();
        }

        await writing;
        Assert.True(Stopwatch.GetElapsedTime(started).TotalMilliseconds >= 400);
        await using var db = await storage.CreateContextAsync();
        Assert.Equal(3, await db.Predictions.CountAsync(p => p.EvaluationRunId == runId));
        Assert.Equal(3, (await db.EvaluationRuns.SingleAsync(r => r.Id == runId)).CompletedSamples);
    }

    [Fact]
    public async Task A_writer_whose_run_another_instance_took_over_stores_nothing_of_its_batch()
    {
        var (runId, sampleIds) = await StoredRuns.SeedAsync(storage);
        await using (var db = await storage.CreateContextAsync())
        {
            await db.EvaluationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, "another-instance"));
        }

        await using var writer = await OpenAsync(runId, "this-instance");
        await Assert.ThrowsAsync<LeaseLostException>(() => writer.WriteAsync(PredictionsFor(sampleIds)));

        await using var check = await storage.CreateContextAsync();
        Assert.Equal(0, await check.Predictions.CountAsync(p => p.EvaluationRunId == runId));
        Assert.Equal(0, (await check.EvaluationRuns.SingleAsync(r => r.Id == runId)).CompletedSamples);
    }

    [Fact]
    public async Task A_row_the_database_refuses_fails_the_batch_with_sqlites_error_and_stores_none_of_it()
    {
        var (runId, sampleIds) = await StoredRuns.SeedAsync(storage);
        var predictions = PredictionsFor(sampleIds);
        predictions[2].SampleId = predictions[0].SampleId; // a second prediction of one sample: the unique index refuses it

        await using var writer = await OpenAsync(runId);
        var refused = await Assert.ThrowsAsync<SqliteException>(() => writer.WriteAsync(predictions));
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT

        await using var db = await storage.CreateContextAsync();
        Assert.Equal(0, await db.Predictions.CountAsync(p => p.EvaluationRunId == runId));
        Assert.Equal(0, (await db.EvaluationRuns.SingleAsync(r => r.Id == runId)).CompletedSamples);
    }
}
