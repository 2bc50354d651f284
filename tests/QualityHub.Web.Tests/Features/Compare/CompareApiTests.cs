using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;
using QualityHub.Inference.Engine;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>POST /api/compare and the comparison services on the demo content, checked against the torch reference.</summary>
public sealed class CompareApiTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();

    public async Task InitializeAsync() => await factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<IReadOnlyList<(int Id, string Name)>> VersionsOfAsync(string module)
    {
        var models = await client.GetFromJsonAsync<JsonElement>("/api/models");
        return models.EnumerateArray()
            .Where(m => m.GetProperty("module").GetString() == module)
            .Select(m => (m.GetProperty("id").GetInt32(), m.GetProperty("name").GetString()!))
            .ToList();
    }

    /// <summary>The three demo classifiers (other tests in this class register more versions of the module).</summary>
    private async Task<IReadOnlyList<(int Id, string Name)>> DemoClassifiersAsync() =>
        (await VersionsOfAsync(DemoContentLoader.FashionModule)).Where(v => v.Name is "fashion-linear-v1" or "fashion-mlp-v1" or "fashion-cnn-v1").ToList();

    private async Task<(int Id, List<string> Labels)> DatasetAsync(string name)
    {
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");
        var dataset = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == name);
        return (dataset.GetProperty("id").GetInt32(), dataset.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList());
    }

    private async Task<List<JsonElement>> SamplesAsync(int datasetId, int take)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{datasetId}/samples?skip=0&take={take}");
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    /// <summary>The top-1 class index torch recorded for each subset image, per demo classifier.</summary>
    private static string ReferenceTop1(string model)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Path("data", "demo", "models", "fashion-torch-reference.json")));
        return reference.RootElement.GetProperty("models").GetProperty(model).GetProperty("subsetTop1").GetString()!;
    }

    [Fact]
    public async Task A_sample_through_three_classifiers_gives_each_answer_as_torch_did_with_timings_and_provider()
    {
        var versions = await DemoClassifiersAsync();
        var (datasetId, labels) = await DatasetAsync("fashion-mnist-test-2000");
        var sample = (await SamplesAsync(datasetId, 8))[7];

        var response = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = versions.Select(v => v.Id), sampleId = sample.GetProperty("id").GetInt64() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sample.GetProperty("groundTruth").GetString(), body.GetProperty("groundTruth").GetString());
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(versions.Select(v => v.Id), items.Select(i => i.GetProperty("modelVersionId").GetInt32()));
        foreach (var (item, version) in items.Zip(versions))
        {
            var expected = labels[ReferenceTop1(version.Name)[sample.GetProperty("ordinal").GetInt32()] - '0'];
            Assert.Equal(expected, item.GetProperty("output").GetString());
            Assert.Equal(expected == sample.GetProperty("groundTruth").GetString(), item.GetProperty("correct").GetBoolean());
            var topK = item.GetProperty("topK").EnumerateArray().ToList();
            Assert.Equal(5, topK.Count);
            Assert.True(topK.Sum(k => k.GetProperty("probability").GetDouble()) <= 1.0001);
            Assert.Equal("Cpu", item.GetProperty("provider").GetString());
            var timing = item.GetProperty("timing");
            Assert.True(timing.GetProperty("computeMs").GetDouble() > 0);
            Assert.True(item.GetProperty("serverMs").GetDouble() >= timing.GetProperty("computeMs").GetDouble());
        }
    }

    [Fact]
    public async Task An_uploaded_JPEG_gets_the_same_answers_as_the_PNG_of_its_pixels()
    {
        var ids = (await DemoClassifiersAsync()).Select(v => v.Id).ToList();
        var (datasetId, _) = await DatasetAsync("fashion-mnist-test-2000");
        var sample = (await SamplesAsync(datasetId, 5))[4];
        var png = await client.GetByteArrayAsync("/" + sample.GetProperty("imageUrl").GetString());
        var jpeg = TestJpeg.Of(Inference.Imaging.ImageDecoder.Decode(png), quality: 60);
        var pixelsAsPng = Inference.Imaging.PngEncoder.Encode(Inference.Imaging.ImageDecoder.Decode(jpeg));

        var byJpeg = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = ids, imagePngBase64 = "data:image/jpeg;base64," + Convert.ToBase64String(jpeg) });
        var byPng = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = ids, imagePngBase64 = Convert.ToBase64String(pixelsAsPng) });

        Assert.Equal(HttpStatusCode.OK, byJpeg.StatusCode);
        var fromJpeg = (await byJpeg.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        var fromPng = (await byPng.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, fromJpeg.Count);
        Assert.Equal(
            fromPng.Select(i => i.GetProperty("topK").ToString()),
            fromJpeg.Select(i => i.GetProperty("topK").ToString()));
    }

    [Fact]
    public async Task An_uploaded_png_gets_the_same_answers_as_the_sample_it_shows_but_no_ground_truth()
    {
        var versions = await DemoClassifiersAsync();
        var (datasetId, _) = await DatasetAsync("fashion-mnist-test-2000");
        var sample = (await SamplesAsync(datasetId, 3))[2];
        var png = await client.GetByteArrayAsync("/" + sample.GetProperty("imageUrl").GetString());
        var ids = versions.Select(v => v.Id).ToList();

        var bySample = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = ids, sampleId = sample.GetProperty("id").GetInt64() });
        var byImage = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = ids, imagePngBase64 = "data:image/png;base64," + Convert.ToBase64String(png) });

        Assert.Equal(HttpStatusCode.OK, byImage.StatusCode);
        var fromSample = (await bySample.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("output").GetString());
        var image = await byImage.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(fromSample, image.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("output").GetString()));
        Assert.Equal(JsonValueKind.Null, image.GetProperty("groundTruth").ValueKind);
        Assert.All(image.GetProperty("items").EnumerateArray(), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("correct").ValueKind));
    }

    [Fact]
    public async Task A_recogniser_answers_with_a_string_per_character_confidences_and_a_diff_against_the_ground_truth()
    {
        var ocr = (await VersionsOfAsync(DemoContentLoader.CardTextModule)).Single(v => v.Name == "pp-ocrv4-rec");
        var (datasetId, _) = await DatasetAsync("card-text-test");
        var samples = await SamplesAsync(datasetId, 20);

        foreach (var sample in samples)
        {
            var response = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = new[] { ocr.Id }, sampleId = sample.GetProperty("id").GetInt64() });
            var item = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
            var text = item.GetProperty("text");
            var output = text.GetProperty("text").GetString()!;
            var truth = sample.GetProperty("groundTruth").GetString()!;
            Assert.Equal(output, item.GetProperty("output").GetString());
            Assert.Equal(text.GetProperty("characters").GetArrayLength(), text.GetProperty("confidences").GetArrayLength());
            var diff = text.GetProperty("diff").EnumerateArray().ToList();
            Assert.Equal(truth, string.Concat(diff.Select(d => d.GetProperty("expected").GetString())));
            Assert.Equal(output, string.Concat(diff.Select(d => d.GetProperty("actual").GetString())));
            Assert.Equal(diff.Count(d => d.GetProperty("kind").GetString() != "Equal"), text.GetProperty("editDistance").GetInt32());
            Assert.Equal(output == truth, item.GetProperty("correct").GetBoolean());
        }
    }

    public static TheoryData<string, HttpStatusCode, string> BadRequests() => new()
    {
        { """{ "modelVersionIds": [] , "sampleId": 1 }""", HttpStatusCode.BadRequest, "at least one model version" },
        { """{ "modelVersionIds": [1, 2, 3, 4, 5], "sampleId": 1 }""", HttpStatusCode.BadRequest, "at most 4" },
        { """{ "modelVersionIds": [1, 1], "sampleId": 1 }""", HttpStatusCode.BadRequest, "once" },
        { """{ "modelVersionIds": [9999], "sampleId": 1 }""", HttpStatusCode.NotFound, "no model version 9999" },
        { """{ "modelVersionIds": [1] }""", HttpStatusCode.BadRequest, "sampleId or imagePngBase64" },
        { """{ "modelVersionIds": [1], "sampleId": 1, "imagePngBase64": "iVBORw0KGgo=" }""", HttpStatusCode.BadRequest, "not both" },
        { """{ "modelVersionIds": [1], "sampleId": 99999999 }""", HttpStatusCode.NotFound, "no sample 99999999" },
        { """{ "modelVersionIds": [1], "imagePngBase64": "%%%" }""", HttpStatusCode.BadRequest, "not valid base64" },
        { """{ "modelVersionIds": [1], "imagePngBase64": "R0lGODlhAQABAAAAACw=" }""", HttpStatusCode.BadRequest, "not a usable image" },
        { """{ "modelVersionIds": "all" }""", HttpStatusCode.BadRequest, "" },
        { """not json""", HttpStatusCode.BadRequest, "" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_get_a_specific_problem_and_the_server_keeps_serving(string json, HttpStatusCode status, string detail)
    {
        var response = await client.PostAsync("/api/compare", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/engine")).StatusCode);
    }

    [Fact]
    public async Task Versions_of_two_modules_are_not_compared()
    {
        var fashion = (await VersionsOfAsync(DemoContentLoader.FashionModule))[0];
        var ocr = (await VersionsOfAsync(DemoContentLoader.CardTextModule))[0];

        var response = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = new[] { fashion.Id, ocr.Id }, sampleId = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("different modules", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_50_MB_image_is_refused_as_too_large_without_a_server_error()
    {
        var base64 = new string('A', 50 * 1024 * 1024);

        var response = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = new[] { 1 }, imagePngBase64 = base64 });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/engine")).StatusCode);
    }

    [Fact]
    public void An_image_over_the_configured_limit_is_refused_before_decoding()
    {
        var source = factory.Services.GetRequiredService<CandidateSource>();
        var tooBig = new byte[21 * 1024 * 1024];

        var error = Assert.Throws<CompareException>(() => source.UploadedInput(tooBig));

        Assert.Equal(413, error.StatusCode);
        Assert.Contains("the limit is 20 MiB", error.Message);
    }

    [Fact]
    public async Task A_batch_over_the_first_200_samples_counts_agreement_and_accuracy_as_the_reference_does()
    {
        var versions = await DemoClassifiersAsync();
        var (datasetId, labels) = await DatasetAsync("fashion-mnist-test-2000");
        var samples = await SamplesAsync(datasetId, 200);
        var source = factory.Services.GetRequiredService<CandidateSource>();
        var batch = factory.Services.GetRequiredService<BatchComparison>();
        var candidates = await source.ResolveAsync(versions.Select(v => v.Id).ToList());
        var reports = new System.Collections.Concurrent.ConcurrentQueue<BatchProgress>();

        var summary = await batch.RunAsync(candidates, datasetId, 0, 200, new SynchronousProgress<BatchProgress>(reports.Enqueue));

        var references = versions.Select(v => ReferenceTop1(v.Name)[..200]).ToList();
        var truth = samples.Select(s => labels.IndexOf(s.GetProperty("groundTruth").GetString()!)).ToList();
        var agreed = Enumerable.Range(0, 200).Count(k => references.All(r => r[k] == references[0][k]));
        Assert.Equal(200, summary.Samples);
        Assert.Equal(200, summary.NextOrdinal);
        Assert.Equal(agreed, summary.Agreed);
        Assert.Equal(200 - agreed, summary.Disagreements.Count);
        foreach (var (tally, reference) in summary.Candidates.Zip(references))
        {
            Assert.Equal(Enumerable.Range(0, 200).Count(k => reference[k] - '0' == truth[k]), tally.Correct);
            Assert.Equal(0, tally.Errors);
        }

        Assert.Equal(new BatchProgress(0, 200, 0), reports.First());
        Assert.Equal(200, reports.Max(r => r.Done));
        Assert.All(reports, r => Assert.Equal(200, r.Total));
        Assert.All(summary.Disagreements, d => Assert.True(d.Outputs.Distinct().Count() > 1));
    }

    [Fact]
    public async Task A_cancelled_batch_stops_and_leaves_no_work_running()
    {
        var versions = await DemoClassifiersAsync();
        var (datasetId, _) = await DatasetAsync("fashion-mnist-test-2000");
        var candidates = await factory.Services.GetRequiredService<CandidateSource>().ResolveAsync(versions.Select(v => v.Id).ToList());
        var batch = factory.Services.GetRequiredService<BatchComparison>();
        using var disconnect = new CancellationTokenSource();

        var summary = await batch.RunAsync(candidates, datasetId, 0, 500, new SynchronousProgress<BatchProgress>(p =>
        {
            if (p.Done == 20)
            {
                disconnect.Cancel();
            }
        }), disconnect.Token);

        Assert.True(summary.Cancelled);
        Assert.InRange(summary.Samples, 20, 499);
        Assert.Equal(0, summary.FromOrdinal);
        Assert.Equal(0, summary.NextOrdinal);
        Assert.Equal(0, factory.Services.GetRequiredService<ComparisonRunner>().ActiveRuns);
        await WaitUntilAsync(() => factory.Services.GetRequiredService<InferenceEngine>().Snapshot().Models.Sum(m => m.QueueDepth) == 0);
    }

    [Fact]
    public async Task A_model_deleted_while_a_comparison_runs_is_reported_and_the_others_answer()
    {
        var uploaded = await RegisterCopyOfAsync("fashion-linear-v1", "doomed-linear");
        var cnn = (await VersionsOfAsync(DemoContentLoader.FashionModule)).Single(v => v.Name == "fashion-cnn-v1");
        var source = factory.Services.GetRequiredService<CandidateSource>();
        var runner = factory.Services.GetRequiredService<ComparisonRunner>();
        var candidates = await source.ResolveAsync([uploaded, cnn.Id]);
        var input = await source.SampleInputAsync((await SamplesAsync((await DatasetAsync("fashion-mnist-test-2000")).Id, 1))[0].GetProperty("id").GetInt64());

        var deleted = await client.DeleteAsync($"/api/models/{uploaded}");
        var results = await runner.RunAllAsync(candidates, input);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("This model version was deleted while the comparison ran.", results[0].Error);
        Assert.True(results[1].Succeeded);
        var again = await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = new[] { uploaded }, sampleId = input.Sample!.Id });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_version_in_a_release_cannot_be_deleted_and_stays()
    {
        var uploaded = await RegisterCopyOfAsync("fashion-mlp-v1", "released-mlp");
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var module = await db.Modules.SingleAsync(m => m.Name == DemoContentLoader.FashionModule);
            db.Releases.Add(new Release { Name = "r-test", CreatedAt = DateTimeOffset.UtcNow, Entries = [new ReleaseEntry { ModuleId = module.Id, ModelVersionId = uploaded }] });
            await db.SaveChangesAsync();
        }

        var response = await client.DeleteAsync($"/api/models/{uploaded}");
        var missing = await client.DeleteAsync("/api/models/987654");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("retire it instead", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/models/{uploaded}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_engine_reports_its_provider_sessions_and_throughput()
    {
        var versions = await DemoClassifiersAsync();
        var (datasetId, _) = await DatasetAsync("fashion-mnist-test-2000");
        await client.PostAsJsonAsync("/api/compare", new { modelVersionIds = versions.Select(v => v.Id), sampleId = (await SamplesAsync(datasetId, 1))[0].GetProperty("id").GetInt64() });

        var engine = await client.GetFromJsonAsync<JsonElement>("/api/engine");

        Assert.Equal("CPU", engine.GetProperty("provider").GetString());
        Assert.StartsWith("CPU:", engine.GetProperty("device").GetString());
        Assert.Equal("ONNX Runtime 1.32.0", engine.GetProperty("runtime").GetString());
        var sessions = engine.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.All(versions, v => Assert.Contains($"{DemoContentLoader.FashionModule}/{v.Name}", sessions));
        Assert.True(engine.GetProperty("usedBytes").GetInt64() > 0);
    }

    private async Task<int> RegisterCopyOfAsync(string demoModel, string versionName)
    {
        // A byte-different copy (an unknown protobuf field appended: field 100, varint), so it is a blob of its own.
        byte[] unknownField = [0xA0, 0x06, (byte)(versionName.Length & 0x7F)];
        var bytes = (await File.ReadAllBytesAsync(RepositoryFiles.Path("data", "demo", "models", $"{demoModel}.onnx"))).Concat(unknownField).ToArray();
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        var card = await File.ReadAllTextAsync(RepositoryFiles.Path("data", "demo", "models", $"{demoModel}.card.json"));
        using var content = new MemoryStream(bytes);
        var result = await registry.ImportAsync(new ModelImportRequest(DemoContentLoader.FashionModule, versionName, $"{versionName}.onnx") { ModelCardJson = card }, content);
        return result.Version.Id;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    /// <summary>Reports on the caller's thread, unlike Progress&lt;T&gt;, so a test sees every report before the run returns.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
