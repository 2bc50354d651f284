using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Evaluations;

/// <summary>
/// /api/evaluations on a fresh install: the first start evaluates every demo model, and the stored predictions,
/// metrics and paired comparisons agree with the torch run of the training script (an independent computation).
/// </summary>
public sealed class EvaluationApiTests(EvaluatedDemoQualityHubFactory factory) : IClassFixture<EvaluatedDemoQualityHubFactory>, IAsyncLifetime
{
    private static readonly string[] Classifiers = ["fashion-linear-v1", "fashion-mlp-v1", "fashion-cnn-v1"];
    private readonly HttpClient client = factory.CreateClient();
    private List<JsonElement> demoRuns = [];

    public async Task InitializeAsync()
    {
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        demoRuns = await EvaluationRuns.DemoRunsAsync(client);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private JsonElement DemoRun(string version) => demoRuns.Single(r => r.GetProperty("version").GetString() == version);

    [Fact]
    public async Task The_first_start_evaluates_every_demo_model_on_its_test_set()
    {
        Assert.Equal(
            ["fashion-cnn-v1", "fashion-linear-v1", "fashion-mlp-v1", "pp-ocrv4-rec", "pp-ocrv4-rec-int8"],
            demoRuns.Select(r => r.GetProperty("version").GetString()).Order());
        foreach (var run in demoRuns)
        {
            var detail = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{run.GetProperty("id").GetInt32()}");
            Assert.Equal("completed", detail.GetProperty("status").GetString());
            var metrics = detail.GetProperty("metrics");
            var time = metrics.GetProperty("processingTime");
            var answered = metrics.GetProperty("count").GetInt32() - metrics.GetProperty("errors").GetInt32();
            Assert.Equal(Math.Min(500, answered), time.GetProperty("samples").GetInt32());
            Assert.True(time.GetProperty("p50").GetDouble() > 0);
            Assert.True(time.GetProperty("p50").GetDouble() <= time.GetProperty("p95").GetDouble());
            Assert.True(time.GetProperty("p95").GetDouble() <= time.GetProperty("p99").GetDouble());
            var interval = time.GetProperty("p95Interval").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.InRange(time.GetProperty("p95").GetDouble(), interval[0], interval[1]);
            Assert.Equal(detail.GetProperty("progress").GetProperty("total").GetInt32(), detail.GetProperty("progress").GetProperty("done").GetInt32());
            Assert.True(metrics.GetProperty("throughput").GetProperty("batchOneItemsPerSecond").GetDouble() > 0);
        }
    }

    [Fact]
    public async Task Every_stored_prediction_and_the_accuracy_equal_the_torch_run_of_the_training_script()
    {
        foreach (var model in Classifiers)
        {
            var run = DemoRun(model);
            var id = run.GetProperty("id").GetInt32();
            var (top1, correct) = TorchReference.Of(model);
            var labels = (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{run.GetProperty("datasetId").GetInt32()}")).GetProperty("summary").GetProperty("labels")
                .EnumerateArray().Select(l => l.GetString()!).ToList();

            var predictions = await EvaluationRuns.PredictionsAsync(client, id);

            Assert.Equal(2000, predictions.Count);
            Assert.Equal(2000, predictions.Select(p => p.GetProperty("sampleId").GetInt64()).Distinct().Count());
            Assert.All(predictions, p => Assert.Equal(labels[top1[p.GetProperty("ordinal").GetInt32()] - '0'], p.GetProperty("output").GetString()));
            var detail = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}");
            Assert.Equal(correct / 2000.0, detail.GetProperty("metrics").GetProperty("accuracy").GetDouble(), precision: 12);
            var interval = detail.GetProperty("metrics").GetProperty("accuracyInterval").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.True(interval[0] < correct / 2000.0 && correct / 2000.0 < interval[1], $"{model}: CI {interval[0]}–{interval[1]}");
        }
    }

    [Fact]
    public async Task The_classifiers_runs_share_the_decoded_test_images_so_the_torch_check_above_covers_cached_images_too()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<QualityHubDbContext>();
        var datasetId = DemoRun("fashion-cnn-v1").GetProperty("datasetId").GetInt32();
        var images = await db.Samples.Where(s => s.DatasetId == datasetId).Select(s => s.ImageSha256).Distinct().ToListAsync();
        var cache = factory.Services.GetRequiredService<QualityHub.Data.Evaluations.DecodedImageCache>();

        Assert.Equal(2000, images.Count);
        Assert.All(images, sha => Assert.True(cache.Contains(sha), $"{sha} is not cached"));
    }

    [Fact]
    public async Task The_confusion_matrix_equals_a_recount_of_the_torch_answers()
    {
        var run = DemoRun("fashion-cnn-v1");
        var (top1, _) = TorchReference.Of("fashion-cnn-v1");
        var predictions = await EvaluationRuns.PredictionsAsync(client, run.GetProperty("id").GetInt32());
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{run.GetProperty("id").GetInt32()}");
        var confusion = detail.GetProperty("metrics").GetProperty("detail").GetProperty("classification").GetProperty("confusion");
        var labels = confusion.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList();
        var counts = confusion.GetProperty("counts").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();

        var expected = new int[labels.Count, labels.Count];
        foreach (var p in predictions)
        {
            expected[labels.IndexOf(p.GetProperty("groundTruth").GetString()!), top1[p.GetProperty("ordinal").GetInt32()] - '0']++;
        }

        for (var i = 0; i < labels.Count; i++)
        {
            for (var j = 0; j < labels.Count; j++)
            {
                Assert.Equal(expected[i, j], counts[i][j]);
            }
        }
    }

    [Fact]
    public async Task Comparing_two_classifiers_counts_regressions_and_fixes_as_the_torch_answers_do_and_calls_the_gain_real()
    {
        var linear = DemoRun("fashion-linear-v1").GetProperty("id").GetInt32();
        var cnn = DemoRun("fashion-cnn-v1").GetProperty("id").GetInt32();
        var (linearTop1, _) = TorchReference.Of("fashion-linear-v1");
        var (cnnTop1, _) = TorchReference.Of("fashion-cnn-v1");
        var samples = await EvaluationRuns.PredictionsAsync(client, linear);
        var labels = (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{DemoRun("fashion-linear-v1").GetProperty("datasetId").GetInt32()}"))
            .GetProperty("summary").GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList();
        bool Right(string top1, JsonElement p) => labels[top1[p.GetProperty("ordinal").GetInt32()] - '0'] == p.GetProperty("groundTruth").GetString();
        var regressions = samples.Count(p => Right(linearTop1, p) && !Right(cnnTop1, p));
        var fixes = samples.Count(p => !Right(linearTop1, p) && Right(cnnTop1, p));

        var comparison = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/compare?ids={linear},{cnn}");

        var pair = Assert.Single(comparison.GetProperty("pairs").EnumerateArray());
        Assert.Equal(regressions, pair.GetProperty("regressions").GetInt32());
        Assert.Equal(fixes, pair.GetProperty("fixes").GetInt32());
        Assert.Equal(2000, pair.GetProperty("commonSamples").GetInt32());
        Assert.True(pair.GetProperty("significant").GetBoolean());
        Assert.StartsWith("McNemar", pair.GetProperty("test").GetString());
        Assert.Contains("improvement", pair.GetProperty("verdict").GetString());
        Assert.Equal((fixes - regressions) / 2000.0, pair.GetProperty("headlineDelta").GetDouble(), precision: 12);
    }

    [Fact]
    public async Task The_recogniser_run_reports_exact_match_and_character_error_rate_consistent_with_its_predictions()
    {
        var run = DemoRun("pp-ocrv4-rec");
        var id = run.GetProperty("id").GetInt32();
        var predictions = await EvaluationRuns.PredictionsAsync(client, id);
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}");
        var metrics = detail.GetProperty("metrics");

        Assert.Equal(400, predictions.Count);
        Assert.Equal(predictions.Count(p => p.GetProperty("output").GetString() == p.GetProperty("groundTruth").GetString()) / 400.0,
            metrics.GetProperty("exactMatch").GetDouble(), precision: 12);
        var edits = predictions.Sum(p => p.GetProperty("editDistance").GetInt32());
        var chars = predictions.Sum(p => p.GetProperty("groundTruth").GetString()!.Length);
        Assert.Equal((double)edits / chars, metrics.GetProperty("characterErrorRate").GetDouble(), precision: 12);
        Assert.True(metrics.GetProperty("exactMatch").GetDouble() > 0.5, "PP-OCRv4 reads most demo card lines");
        Assert.NotEmpty(metrics.GetProperty("detail").GetProperty("text").GetProperty("perTag").EnumerateArray());
    }

    [Fact]
    public async Task Exports_give_every_prediction_and_the_metrics_as_csv_and_json()
    {
        var id = DemoRun("fashion-mlp-v1").GetProperty("id").GetInt32();

        var csv = (await client.GetStringAsync($"/api/evaluations/{id}/predictions.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}/predictions.json");
        var metricsCsv = await client.GetStringAsync($"/api/evaluations/{id}/metrics.csv");
        var metricsJson = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}/metrics.json");

        Assert.StartsWith("sample_id,ordinal,ground_truth,output,confidence,correct", csv[0]);
        Assert.Equal(2001, csv.Length);
        Assert.Equal(2000, json.GetArrayLength());
        var accuracy = metricsJson.GetProperty("metrics").GetProperty("accuracy").GetDouble();
        var row = metricsCsv.Split('\n').Single(l => l.Contains(",accuracy,,", StringComparison.Ordinal));
        Assert.Equal(accuracy, double.Parse(row.Split(',')[5], System.Globalization.CultureInfo.InvariantCulture), precision: 5);
        Assert.Contains(",precision,Coat,", metricsCsv);
    }

    [Fact]
    public async Task Bad_requests_get_a_specific_problem_and_queue_nothing()
    {
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/evaluations")).GetArrayLength();
        var cnn = DemoRun("fashion-cnn-v1");
        var ocr = DemoRun("pp-ocrv4-rec");
        var cnnId = cnn.GetProperty("modelVersionId").GetInt32();
        var fashion = cnn.GetProperty("datasetId").GetInt32();
        var cardText = ocr.GetProperty("datasetId").GetInt32();

        async Task Expect(HttpStatusCode status, string fragment, HttpResponseMessage response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(fragment, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        await Expect(HttpStatusCode.BadRequest, "modelVersionId", await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = cnnId }));
        await Expect(HttpStatusCode.NotFound, "no model version 999", await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = 999, datasetId = fashion }));
        await Expect(HttpStatusCode.NotFound, "no dataset 999", await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = cnnId, datasetId = 999 }));
        await Expect(HttpStatusCode.UnprocessableEntity, "TextRecognition", await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = cnnId, datasetId = cardText }));
        var malformed = await client.PostAsync("/api/evaluations", new StringContent("{\"modelVersionId\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        await Expect(HttpStatusCode.NotFound, "no evaluation run 999", await client.GetAsync("/api/evaluations/999"));
        await Expect(HttpStatusCode.BadRequest, "take", await client.GetAsync($"/api/evaluations/{cnn.GetProperty("id")}/predictions?take=5000"));
        await Expect(HttpStatusCode.BadRequest, "'x'", await client.GetAsync("/api/evaluations/compare?ids=1,x"));
        await Expect(HttpStatusCode.BadRequest, "between 2", await client.GetAsync($"/api/evaluations/compare?ids={cnn.GetProperty("id")}"));
        await Expect(HttpStatusCode.NotFound, "no evaluation run 999", await client.GetAsync($"/api/evaluations/compare?ids={cnn.GetProperty("id")},999"));
        await Expect(HttpStatusCode.BadRequest, "different tasks", await client.GetAsync($"/api/evaluations/compare?ids={cnn.GetProperty("id")},{ocr.GetProperty("id")}"));
        await Expect(HttpStatusCode.Conflict, "completed", await client.PostAsync($"/api/evaluations/{cnn.GetProperty("id")}/cancel", null));

        Assert.Equal(before, (await client.GetFromJsonAsync<JsonElement>("/api/evaluations")).GetArrayLength());
    }

    [Fact]
    public async Task A_dataset_whose_labels_the_model_does_not_know_is_refused_with_the_labels_named()
    {
        var cnn = DemoRun("fashion-cnn-v1");
        var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        await using (db)
        {
            var module = await db.Modules.SingleAsync(m => m.Name == DemoContentLoader.FashionModule);
            var any = await db.Samples.FirstAsync();
            var dataset = new Dataset
            {
                Name = "pets",
                ModuleId = module.Id,
                TaskType = TaskType.ImageClassification,
                Split = DatasetSplit.Test,
                LicenceId = "CC0-1.0",
                Labels = ["Cat", "Dog", "Coat"],
                CreatedAt = DateTimeOffset.UtcNow,
                Samples = [new Sample { ImageSha256 = any.ImageSha256, GroundTruth = "Cat", Width = 28, Height = 28 }],
            };
            db.Datasets.Add(dataset);
            await db.SaveChangesAsync();

            var response = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = cnn.GetProperty("modelVersionId").GetInt32(), datasetId = dataset.Id });

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
            Assert.Contains("'Cat', 'Dog'", detail);
            Assert.DoesNotContain("Coat", detail![..detail!.IndexOf("are not", StringComparison.Ordinal)]);
        }
    }

    [Fact]
    public async Task A_second_run_of_a_pair_already_running_is_refused_with_the_run_named()
    {
        var mlp = DemoRun("fashion-mlp-v1");
        var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        await using (db)
        {
            // A run another process is executing (this process only starts queued runs).
            var running = new EvaluationRun
            {
                ModelVersionId = mlp.GetProperty("modelVersionId").GetInt32(),
                DatasetId = mlp.GetProperty("datasetId").GetInt32(),
                Status = RunStatus.Running,
                TotalSamples = 2000,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.EvaluationRuns.Add(running);
            await db.SaveChangesAsync();

            var response = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = running.ModelVersionId, datasetId = running.DatasetId });

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains($"run {running.Id}", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            db.EvaluationRuns.Remove(running);
            await db.SaveChangesAsync();
        }
    }
}
