using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Evaluations;

/// <summary>
/// Evaluation runs when things go wrong: a restart half-way, a full disk, samples the model cannot read, a model
/// that fails on everything. Each test runs its own app on its own data folder.
/// </summary>
public sealed class EvaluationRecoveryTests : IDisposable
{
    private readonly TempFolder dataDirectory = new("qualityhub-eval-");

    public void Dispose() => dataDirectory.Dispose();

    private async Task<ConfiguredQualityHubFactory> StartAsync(Dictionary<string, string>? settings = null)
    {
        var factory = new ConfiguredQualityHubFactory(dataDirectory.Path, loadDemoContent: true, evaluateDemoModels: false, settings);
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        return factory;
    }

    private static async Task<(int Version, int Dataset)> PairAsync(HttpClient client, string version, string dataset)
    {
        var models = await client.GetFromJsonAsync<JsonElement>("/api/models");
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");
        return (models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == version).GetProperty("id").GetInt32(),
                datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == dataset).GetProperty("id").GetInt32());
    }

    private static async Task<int> StartRunAsync(HttpClient client, int version, int dataset)
    {
        var response = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version, datasetId = dataset });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    // The app's database read beside the app, on the run's engine (identifiers quoted: PostgreSQL folds bare ones to lower case).
    private DbConnection OpenDatabase()
    {
        DbConnection connection = TestDatabase.IsPostgres
            ? new NpgsqlConnection(TestDatabase.SettingsFor(dataDirectory.Path)["ConnectionStrings:QualityHub"] + ";Pooling=False")
            : new SqliteConnection($"Data Source={dataDirectory.File("qualityhub.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private long Scalar(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_run_interrupted_by_a_restart_resumes_where_it_stopped_without_duplicated_or_missing_predictions()
    {
        // Small write batches and few samples in flight, so the stop lands half-way through the 400 lines.
        var settings = new Dictionary<string, string> { ["Evaluation:WriteBatch"] = "20", ["Evaluation:InFlight"] = "2" };
        int runId;
        await using (var first = await StartAsync(settings))
        {
            var client = first.CreateClient();
            var (ocr, cardText) = await PairAsync(client, "pp-ocrv4-rec", "card-text-test");
            runId = await StartRunAsync(client, ocr, cardText);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (Scalar($"SELECT COUNT(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId}") < 60)
            {
                Assert.True(DateTime.UtcNow < deadline, "the run did not get going");
                await Task.Delay(50);
            }
        }

        var storedAtStop = Scalar($"SELECT COUNT(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId}");
        Assert.InRange(storedAtStop, 60, 399);
        Assert.Equal(storedAtStop, Scalar($"SELECT \"CompletedSamples\" FROM \"EvaluationRuns\" WHERE \"Id\" = {runId}"));
        Assert.Equal(1, Scalar($"SELECT COUNT(*) FROM \"EvaluationRuns\" WHERE \"Id\" = {runId} AND \"Status\" = 'Running'"));

        await using (var second = await StartAsync(settings))
        {
            var client = second.CreateClient();
            var resumed = await EvaluationRuns.WaitAsync(client, runId);
            Assert.Equal("completed", resumed.GetProperty("status").GetString());
            var predictions = await EvaluationRuns.PredictionsAsync(client, runId);
            Assert.Equal(400, predictions.Count);
            Assert.Equal(400, predictions.Select(p => p.GetProperty("sampleId").GetInt64()).Distinct().Count());
            Assert.Equal(Enumerable.Range(0, 400), predictions.Select(p => p.GetProperty("ordinal").GetInt32()).Order());

            // The resumed run answers every sample exactly as an uninterrupted run does.
            var (ocr, cardText) = await PairAsync(client, "pp-ocrv4-rec", "card-text-test");
            var fresh = await StartRunAsync(client, ocr, cardText);
            Assert.Equal("completed", (await EvaluationRuns.WaitAsync(client, fresh)).GetProperty("status").GetString());
            var expected = (await EvaluationRuns.PredictionsAsync(client, fresh)).ToDictionary(p => p.GetProperty("sampleId").GetInt64(), p => p.GetProperty("output").GetString());
            Assert.All(predictions, p => Assert.Equal(expected[p.GetProperty("sampleId").GetInt64()], p.GetProperty("output").GetString()));
            Assert.Equal(
                (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{fresh}")).GetProperty("metrics").GetProperty("exactMatch").GetDouble(),
                resumed.GetProperty("metrics").GetProperty("exactMatch").GetDouble());
        }
    }

    [Fact]
    public async Task A_cancelled_run_stops_keeps_what_it_predicted_and_leaves_the_engine_idle()
    {
        await using var factory = await StartAsync(new Dictionary<string, string> { ["Evaluation:WriteBatch"] = "10", ["Evaluation:InFlight"] = "2" });
        var client = factory.CreateClient();
        var (ocr, cardText) = await PairAsync(client, "pp-ocrv4-rec", "card-text-test");
        var runId = await StartRunAsync(client, ocr, cardText);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (Scalar($"SELECT COUNT(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId}") < 20)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not get going");
            await Task.Delay(50);
        }

        var cancel = await client.PostAsync($"/api/evaluations/{runId}/cancel", null);
        var run = await EvaluationRuns.WaitAsync(client, runId, timeoutSeconds: 30);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        var kept = Scalar($"SELECT COUNT(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId}");
        Assert.InRange(kept, 20, 399);
        Assert.Equal(kept, run.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("metrics").ValueKind);
        await Task.Delay(500);
        Assert.Equal(kept, Scalar($"SELECT COUNT(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId}"));
        var engine = await client.GetFromJsonAsync<JsonElement>("/api/engine");
        Assert.Equal(0, engine.GetProperty("queueDepth").GetInt32());
    }

    [Fact]
    [Trait("Engine", "sqlite")] // Storage:MaxDatabaseMb is SQLite's page quota
    public async Task A_full_disk_fails_the_run_with_a_clear_status_and_leaves_earlier_runs_and_the_database_intact()
    {
        int earlier;
        string earlierMetrics;
        await using (var first = await StartAsync())
        {
            var client = first.CreateClient();
            var (linear, fashion) = await PairAsync(client, "fashion-linear-v1", "fashion-mnist-test-2000");
            earlier = await StartRunAsync(client, linear, fashion);
            Assert.Equal("completed", (await EvaluationRuns.WaitAsync(client, earlier)).GetProperty("status").GetString());
            earlierMetrics = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{earlier}")).GetProperty("metrics").GetRawText();
        }

        SqliteConnection.ClearAllPools();
        Scalar("PRAGMA wal_checkpoint(TRUNCATE)");
        var bytes = Scalar("PRAGMA page_count") * Scalar("PRAGMA page_size");
        // Room for a few pages (the run's own row), not for 2,000 predictions.
        var quota = (bytes + 16 * 4096) / 1048576.0;

        await using (var second = await StartAsync(new Dictionary<string, string> { ["Storage:MaxDatabaseMb"] = quota.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            var client = second.CreateClient();
            var (cnn, fashion) = await PairAsync(client, "fashion-cnn-v1", "fashion-mnist-test-2000");
            var run = await EvaluationRuns.WaitAsync(client, await StartRunAsync(client, cnn, fashion));

            Assert.Equal("failed", run.GetProperty("status").GetString());
            Assert.Contains("full", run.GetProperty("error").GetString());
            Assert.Equal(JsonValueKind.Null, run.GetProperty("metrics").ValueKind);
            var before = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{earlier}");
            Assert.Equal("completed", before.GetProperty("status").GetString());
            Assert.Equal(earlierMetrics, before.GetProperty("metrics").GetRawText());
            Assert.Equal(2000, (await EvaluationRuns.PredictionsAsync(client, earlier)).Count);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }

        using var connection = OpenDatabase();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }

    [Fact]
    public async Task Samples_the_model_cannot_read_are_recorded_as_errors_and_the_run_finishes()
    {
        await using var factory = await StartAsync();
        var client = factory.CreateClient();
        var (mlp, fashion) = await PairAsync(client, "fashion-mlp-v1", "fashion-mnist-test-2000");
        var samples = (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{fashion}/samples?skip=10&take=2")).GetProperty("items").EnumerateArray().ToList();
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            // One image turned to garbage on disk, one removed from the store.
            var store = factory.Services.GetRequiredService<ContentStore>();
            var broken = await db.Samples.SingleAsync(s => s.Id == samples[0].GetProperty("id").GetInt64());
            var missing = await db.Samples.SingleAsync(s => s.Id == samples[1].GetProperty("id").GetInt64());
            await File.WriteAllTextAsync(store.PathOf(broken.ImageSha256), "not a png");
            File.Delete(store.PathOf(missing.ImageSha256));
        }

        var run = await EvaluationRuns.WaitAsync(client, await StartRunAsync(client, mlp, fashion));

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(2000, run.GetProperty("metrics").GetProperty("count").GetInt32());
        Assert.Equal(2, run.GetProperty("metrics").GetProperty("errors").GetInt32());
        var errors = (await EvaluationRuns.PredictionsAsync(client, run.GetProperty("id").GetInt32()))
            .Where(p => p.GetProperty("error").ValueKind == JsonValueKind.String).OrderBy(p => p.GetProperty("ordinal").GetInt32()).ToList();
        Assert.Equal([10, 11], errors.Select(p => p.GetProperty("ordinal").GetInt32()));
        Assert.Contains("missing from the store", errors[1].GetProperty("error").GetString());
        Assert.False(errors[0].GetProperty("correct").GetBoolean());

        // A run made in one go computes its metrics from the predictions it holds; read back from the database they are the same.
        var runId = run.GetProperty("id").GetInt32();
        string storedJson;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            storedJson = (await db.EvaluationRuns.SingleAsync(r => r.Id == runId)).MetricsJson!;
        }

        var stored = RunMetricsCalculator.Parse(storedJson)!;
        var recomputed = await factory.Services.GetRequiredService<RunMetricsCalculator>().ComputeMetricsAsync(
            runId, new ThroughputFigures(stored.Throughput.BatchedItemsPerSecond, stored.ProcessingTime));
        string Json(object? value) => JsonSerializer.Serialize(value, RunMetricsCalculator.Json);
        Assert.Equal(Json(recomputed.Classification), Json(stored.Classification));
        Assert.Equal(Json(recomputed.Headline), Json(stored.Headline));
        Assert.Equal(Json(recomputed.BatchedItemTime), Json(stored.BatchedItemTime));
        Assert.Equal(Json(recomputed.ProcessingTime), Json(stored.ProcessingTime));
        Assert.Equal(Json(recomputed.Stages), Json(stored.Stages));
        Assert.Equal((recomputed.Count, recomputed.Errors), (stored.Count, stored.Errors));
    }

    [Fact]
    public async Task A_model_that_fails_on_every_sample_fails_the_run_with_the_reason()
    {
        await using var factory = await StartAsync();
        var client = factory.CreateClient();
        var (cnn, _) = await PairAsync(client, "fashion-cnn-v1", "fashion-mnist-test-2000");
        int datasetId;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            var module = await db.Modules.SingleAsync(m => m.Name == DemoContentLoader.FashionModule);
            var dataset = new Dataset
            {
                Name = "vanished",
                ModuleId = module.Id,
                TaskType = TaskType.ImageClassification,
                Split = DatasetSplit.Test,
                LicenceId = "CC0-1.0",
                Labels = ["Coat"],
                CreatedAt = DateTimeOffset.UtcNow,
                Samples = Enumerable.Range(0, 80).Select(i => new Sample { Ordinal = i, ImageSha256 = new string('0', 63) + "1", GroundTruth = "Coat", Width = 28, Height = 28 }).ToList(),
            };
            db.Datasets.Add(dataset);
            await db.SaveChangesAsync();
            datasetId = dataset.Id;
        }

        var run = await EvaluationRuns.WaitAsync(client, await StartRunAsync(client, cnn, datasetId));

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("failed on each of the first 50 samples", run.GetProperty("error").GetString());
        Assert.Contains("missing from the store", run.GetProperty("error").GetString());
    }
}
