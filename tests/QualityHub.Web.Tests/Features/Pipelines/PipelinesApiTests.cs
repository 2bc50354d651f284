using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Pipelines;

/// <summary>
/// /api/pipelines and pipeline runs through /api/evaluations on the demo content: the card reader's versions by stage,
/// registration and its refusals, and an end-to-end run whose stored metrics are recounted here from its predictions
/// and the card-photo labels file.
/// </summary>
public sealed class PipelinesApiTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();

    public async Task InitializeAsync() => await factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonElement> CardReaderAsync() =>
        (await client.GetFromJsonAsync<JsonElement>("/api/pipelines")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == DemoContentLoader.CardReaderPipeline);

    private async Task<int> VersionIdAsync(string name) =>
        (await CardReaderAsync()).GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    private async Task<int> ModelIdAsync(string name) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    private async Task<int> DatasetIdAsync(string name) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().Single(d => d.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

    [Fact]
    public async Task The_demo_card_reader_is_listed_with_two_versions_of_four_stages_that_differ_in_the_recogniser()
    {
        var versions = (await CardReaderAsync()).GetProperty("versions").EnumerateArray().ToList();

        Assert.Equal(["card-reader-int8", "card-reader-v1"], versions.Select(v => v.GetProperty("name").GetString()).Order());
        foreach (var version in versions)
        {
            var stages = version.GetProperty("stages").EnumerateArray().ToList();
            Assert.Equal(["TextDetection", "Rectify", "TextRecognition", "CardFields"], stages.Select(s => s.GetProperty("kind").GetString()));
            Assert.Equal("pp-ocrv4-det", stages[0].GetProperty("version").GetString());
            Assert.Equal(JsonValueKind.Null, version.GetProperty("unusable").ValueKind);
        }

        Assert.Equal(["pp-ocrv4-rec", "pp-ocrv4-rec-int8"], versions.Select(v => v.GetProperty("stages")[2].GetProperty("version").GetString()).Order());
    }

    [Fact]
    public async Task A_version_is_registered_by_its_stages_and_read_back_and_bad_bodies_are_refused_by_field()
    {
        var (detector, recogniser) = (await ModelIdAsync("pp-ocrv4-det"), await ModelIdAsync("pp-ocrv4-rec"));
        object[] Stages(params object[] stages) => stages;
        var good = Stages(new { kind = "TextDetection", modelVersionId = detector }, new { kind = "Rectify" }, new { kind = "TextRecognition", modelVersionId = recogniser }, new { kind = "CardFields" });

        var created = await client.PostAsJsonAsync("/api/pipelines", new { pipeline = DemoContentLoader.CardReaderPipeline, version = "api-copy", stages = good });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var version = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/api/pipelines/versions/{version.GetProperty("id").GetInt32()}", created.Headers.Location?.OriginalString);
        var read = await client.GetFromJsonAsync<JsonElement>(created.Headers.Location!.OriginalString);
        Assert.Equal("api-copy", read.GetProperty("name").GetString());
        Assert.Equal(4, read.GetProperty("stages").GetArrayLength());

        var missing = await client.PostAsJsonAsync("/api/pipelines", new { pipeline = "x", version = "1" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var wrongOrder = await client.PostAsJsonAsync("/api/pipelines", new
        {
            pipeline = DemoContentLoader.CardReaderPipeline,
            version = "backwards",
            stages = Stages(new { kind = "TextRecognition", modelVersionId = recogniser }, new { kind = "Rectify" }, new { kind = "TextDetection", modelVersionId = detector }, new { kind = "CardFields" }),
        });
        Assert.Equal((HttpStatusCode)422, wrongOrder.StatusCode);
        var problem = await wrongOrder.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Stage 1 (text recognition) takes cut-out text lines, but the pipeline's input gives a photo.", problem.GetProperty("detail").GetString());
        Assert.Equal("stages", problem.GetProperty("field").GetString());
        var onModule = await client.PostAsJsonAsync("/api/pipelines", new { pipeline = DemoContentLoader.CardTextModule, version = "x", stages = good });
        Assert.Equal((HttpStatusCode)422, onModule.StatusCode);
        Assert.Equal("pipeline", (await onModule.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/pipelines/versions/{recogniser}")).StatusCode); // a model version, not a pipeline's
        Assert.Equal(3, (await CardReaderAsync()).GetProperty("versions").GetArrayLength()); // the refused ones left nothing
    }

    [Fact]
    public async Task Evaluation_requests_naming_no_pipeline_version_or_two_versions_are_refused()
    {
        var photos = await DatasetIdAsync("card-photos-test");
        var v1 = await VersionIdAsync("card-reader-v1");
        var runsBefore = (await client.GetFromJsonAsync<JsonElement>("/api/evaluations")).GetArrayLength();

        var unknown = await client.PostAsJsonAsync("/api/evaluations", new { pipelineVersionId = 999_999, datasetId = photos });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("pipelineVersionId", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var model = await client.PostAsJsonAsync("/api/evaluations", new { pipelineVersionId = await ModelIdAsync("pp-ocrv4-rec"), datasetId = photos });
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        var two = await client.PostAsJsonAsync("/api/evaluations", new { pipelineVersionId = v1, modelVersionId = v1 + 1, datasetId = photos });
        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);
        var onTextLines = await client.PostAsJsonAsync("/api/evaluations", new { pipelineVersionId = v1, datasetId = await DatasetIdAsync("card-text-test") });
        Assert.Equal((HttpStatusCode)422, onTextLines.StatusCode);
        Assert.Equal(runsBefore, (await client.GetFromJsonAsync<JsonElement>("/api/evaluations")).GetArrayLength());
    }

    [Fact]
    public async Task A_pipeline_run_carries_detection_fields_and_blame_and_compares_with_another_version_as_a_recount_from_predictions_and_labels_agrees()
    {
        var started = await client.PostAsJsonAsync("/api/evaluations", new { pipelineVersionId = await VersionIdAsync("card-reader-v1"), datasetId = await DatasetIdAsync("card-photos-test") });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var run = await EvaluationRuns.WaitAsync(client, id, timeoutSeconds: 600);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var metrics = run.GetProperty("metrics");

        // The truth from the shipped labels file, by line (= sample ordinal); the outputs from the predictions API.
        var labels = File.ReadLines(RepositoryFiles.Path("data", "demo", "card-photos", "labels.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement).Select(l => (Number: Digits(l.GetProperty("number").GetString()!), Expiry: l.GetProperty("expiry").GetString()!)).ToList();
        var predictions = await EvaluationRuns.PredictionsAsync(client, id);
        Assert.Equal(labels.Count, predictions.Count);
        int numbers = 0, numbersRight = 0, expiries = 0, expiriesRight = 0, cards = 0, cardsRight = 0;
        foreach (var p in predictions)
        {
            var truth = labels[p.GetProperty("ordinal").GetInt32()];
            var (number, expiry) = Fields(p.GetProperty("output").GetString()!);
            numbers += truth.Number.Length > 0 ? 1 : 0;
            expiries += truth.Expiry.Length > 0 ? 1 : 0;
            var numberRight = truth.Number.Length > 0 && number == truth.Number;
            var expiryRight = truth.Expiry.Length > 0 && expiry == truth.Expiry;
            numbersRight += numberRight ? 1 : 0;
            expiriesRight += expiryRight ? 1 : 0;
            if (truth.Number.Length > 0 || truth.Expiry.Length > 0)
            {
                cards++;
                cardsRight += (truth.Number.Length == 0 || numberRight) && (truth.Expiry.Length == 0 || expiryRight) ? 1 : 0;
            }
        }

        var fields = metrics.GetProperty("fields").GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("field").GetString()!);
        Assert.Equal(numbers, fields["Number"].GetProperty("count").GetInt32());
        Assert.Equal(expiries, fields["Expiry"].GetProperty("count").GetInt32());
        Assert.Equal((double)numbersRight / numbers, fields["Number"].GetProperty("exactMatch").GetProperty("value").GetDouble(), 12);
        Assert.Equal((double)expiriesRight / expiries, fields["Expiry"].GetProperty("exactMatch").GetProperty("value").GetDouble(), 12);
        Assert.Equal((double)cardsRight / cards, metrics.GetProperty("cardsReadRight").GetDouble(), 12);
        var blame = metrics.GetProperty("blame").EnumerateObject().ToDictionary(b => b.Name, b => b.Value.GetInt32());
        Assert.Equal(["detector", "parser", "recogniser"], blame.Keys.Order());
        Assert.Equal(numbers - numbersRight + (expiries - expiriesRight), blame.Values.Sum()); // every wrong field, one stage each

        var detection = metrics.GetProperty("detection");
        var (precision, recall) = (detection.GetProperty("precision").GetProperty("value").GetDouble(), detection.GetProperty("recall").GetProperty("value").GetDouble());
        Assert.Equal(2 * precision * recall / (precision + recall), detection.GetProperty("hMean").GetProperty("value").GetDouble(), 12);
        Assert.Equal(labels.Count, detection.GetProperty("images").GetInt32());
        Assert.True(metrics.GetProperty("stages").GetProperty("endToEnd").GetProperty("p50Ms").GetDouble() > 0);
        Assert.Equal(predictions.Count, metrics.GetProperty("processingTime").GetProperty("samples").GetInt32());
        // Measured 2026-12-06 (README): 300 numbers and 301 expiry dates of 315; a broken stage falls far below.
        Assert.True(numbersRight >= 285 && expiriesRight >= 285, $"{numbersRight} numbers and {expiriesRight} expiry dates right");

        // The photos by blamed stage: each photo put down to the detector has a field the detector is blamed for.
        var byDetector = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}/photos?filter=detector&take=100");
        var detectorPhotos = byDetector.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(byDetector.GetProperty("total").GetInt32(), detectorPhotos.Count);
        Assert.All(detectorPhotos, p => Assert.Contains(p.GetProperty("outcomes").EnumerateArray(), o => o.GetProperty("blame").GetString() == "Detector"));
        Assert.InRange(detectorPhotos.Count, 1, blame["detector"]);
        var all = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}/photos?filter=ALL&take=5");
        Assert.Equal((labels.Count, 5), (all.GetProperty("total").GetInt32(), all.GetProperty("items").GetArrayLength()));
        Assert.Equal(cards - cardsRight, all.GetProperty("counts").GetProperty("Wrong").GetInt32());
        var numbersWrong = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{id}/photos?field=number&take=0");
        Assert.Equal(numbers - numbersRight, numbersWrong.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/evaluations/{id}/photos?filter=1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/evaluations/{id}/photos?field=name")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/evaluations/{id}/metrics.csv")).StatusCode);

        // The int8 version against it, photo by photo: a photo is right when both fields are (or it has none and
        // nothing is read); regressions and fixes recounted here from the two runs' outputs.
        var int8Started = await client.PostAsJsonAsync("/api/evaluations", new { pipelineVersionId = await VersionIdAsync("card-reader-int8"), datasetId = await DatasetIdAsync("card-photos-test") });
        var int8 = (await EvaluationRuns.WaitAsync(client, (await int8Started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32(), timeoutSeconds: 600)).GetProperty("id").GetInt32();
        bool Right(JsonElement p) => Fields(p.GetProperty("output").GetString()!) == labels[p.GetProperty("ordinal").GetInt32()];
        var before = predictions.ToDictionary(p => p.GetProperty("ordinal").GetInt32(), Right);
        var after = (await EvaluationRuns.PredictionsAsync(client, int8)).ToDictionary(p => p.GetProperty("ordinal").GetInt32(), Right);
        var pair = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/compare?ids={id},{int8}")).GetProperty("pairs")[0];
        Assert.Equal(labels.Count, pair.GetProperty("commonSamples").GetInt32());
        Assert.Equal(before.Count(x => x.Value && !after[x.Key]), pair.GetProperty("regressions").GetInt32());
        Assert.Equal(before.Count(x => !x.Value && after[x.Key]), pair.GetProperty("fixes").GetInt32());
        Assert.StartsWith("McNemar", pair.GetProperty("test").GetString(), StringComparison.Ordinal);
        Assert.True(before.Count(x => x.Value) >= 280, "the paired test sees the photos read right as right"); // 292 of 320 measured

        // Raw beside the rule: the fields as printed against as read, never right more often than without spaces.
        var fieldsReport = metrics.GetProperty("fields");
        Assert.Equal("ignoring spaces", fieldsReport.GetProperty("ruleDescription").GetString());
        Assert.InRange(fieldsReport.GetProperty("cardsReadRightRaw").GetProperty("value").GetDouble(), 0, metrics.GetProperty("cardsReadRight").GetDouble());
        Assert.InRange(fields["Number"].GetProperty("raw").GetProperty("exactMatch").GetProperty("value").GetDouble(), 0, (double)numbersRight / numbers);
        Assert.Equal("ignoring spaces", (await CardReaderAsync()).GetProperty("comparisonRule").GetString());

        // A pipeline version is released as a model version is: its entry stands on its latest completed run, and the
        // release board shows its processing time stage by stage.
        var release = await client.PostAsJsonAsync("/api/releases", new { name = "cards-2026.12", rationale = "card reader", modelVersionIds = new[] { await VersionIdAsync("card-reader-v1") } });
        Assert.Equal(HttpStatusCode.Created, release.StatusCode);
        var entry = (await client.GetFromJsonAsync<JsonElement>($"/api/releases/{(await release.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32()}"))
            .GetProperty("entries").EnumerateArray().Single();
        Assert.Equal("card-reader-v1", entry.GetProperty("version").GetString());
        Assert.Equal(metrics.GetProperty("cardsReadRight").GetDouble(), entry.GetProperty("metrics").GetProperty("headline").GetProperty("value").GetDouble(), 12);
        var board = await client.GetFromJsonAsync<JsonElement>("/api/release-board");
        var cardReader = board.GetProperty("modules").EnumerateArray().Single(m => m.GetProperty("module").GetString() == DemoContentLoader.CardReaderPipeline);
        var shown = cardReader.GetProperty("candidates").EnumerateArray().ToList();
        if (cardReader.GetProperty("production").ValueKind == JsonValueKind.Object)
        {
            shown.Add(cardReader.GetProperty("production"));
        }

        var v1 = shown.Single(c => c.GetProperty("version").GetString() == "card-reader-v1");
        var stages = v1.GetProperty("processingTimeMs").GetProperty("stages").EnumerateArray().Select(st => st.GetProperty("stage").GetString()).ToList();
        Assert.Equal(["decode", "detect", "rectify", "recognise", "parse"], stages);
    }

    [Fact]
    public async Task A_ticket_on_a_pipeline_is_refused_by_reproduce_with_where_to_read_its_photo_instead()
    {
        var moduleId = (await CardReaderAsync()).GetProperty("moduleId").GetInt32();
        var photo = (await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{await DatasetIdAsync("card-photos-test")}/samples?take=1")).GetProperty("items")[0];
        var created = await client.PostAsJsonAsync("/api/tickets", new { title = "card misread", moduleId, sampleId = photo.GetProperty("id").GetInt64() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var response = await client.PostAsync($"/api/tickets/{id}/reproduce", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("moduleId", problem.GetProperty("field").GetString());
        Assert.Contains("is a pipeline", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("on Compare", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // The output as the run shows it: "digits · MM/YY", either alone, or a dash for neither.
    private static (string Number, string Expiry) Fields(string output)
    {
        if (output == "—")
        {
            return ("", "");
        }

        var parts = output.Split(" · ");
        return parts.Length == 2 ? (parts[0], parts[1]) : parts[0].Contains('/', StringComparison.Ordinal) ? ("", parts[0]) : (parts[0], "");
    }

    private static string Digits(string text) => string.Concat(text.Where(char.IsAsciiDigit));
}
