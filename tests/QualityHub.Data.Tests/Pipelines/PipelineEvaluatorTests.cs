using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;
using SkiaSharp;

namespace QualityHub.Data.Tests.Pipelines;

/// <summary>The demo's card reader (card-reader/v1 over PP-OCRv4) registered once for the evaluator's tests.</summary>
public sealed class CardReaderFixture : IAsyncLifetime
{
    public PipelineFixture Storage { get; } = new();

    public int VersionId { get; private set; }

    public async Task InitializeAsync()
    {
        await Storage.InitializeAsync();
        VersionId = (await Storage.RegisterCardReaderAsync()).Id;
    }

    public Task DisposeAsync() => Storage.DisposeAsync();
}

/// <summary>
/// Card-photo datasets imported from JSON Lines and evaluated end to end through <see cref="EvaluationRunner"/>; the
/// stored metrics are checked against figures counted here from the stored predictions and the labels file.
/// </summary>
public sealed class PipelineEvaluatorTests(CardReaderFixture reader) : IClassFixture<CardReaderFixture>, IDisposable
{
    private static readonly string Photos = RepositoryFiles.Path("data", "demo", "card-photos");
    private static readonly string[] Labels = File.ReadAllLines(Path.Combine(Photos, "labels.jsonl"));
    private readonly TempFolder input = new();

    private PipelineFixture Fixture => reader.Storage;

    public void Dispose() => input.Dispose();

    private sealed record Stored(Sample Sample, Prediction Prediction);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Digits(string text) => string.Concat(text.Where(char.IsAsciiDigit));

    /// <summary>The labels file's lines with these 1-based numbers, their photos copied into a folder of their own under the input folder.</summary>
    private async Task<(string Jsonl, List<string> Lines)> WriteSetAsync(string name, IEnumerable<int> lineNumbers)
    {
        var folder = Directory.CreateDirectory(Path.Combine(input.Path, name)).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        var lines = lineNumbers.Select(n => Labels[n - 1]).ToList();
        foreach (var line in lines)
        {
            var image = Parse(line).GetProperty("image").GetString()!;
            File.Copy(Path.Combine(Photos, image), Path.Combine(folder, image));
        }

        var jsonl = Path.Combine(folder, "labels.jsonl");
        await File.WriteAllLinesAsync(jsonl, lines);
        return (jsonl, lines);
    }

    private static DatasetImportRequest Request(string name) => new()
    {
        Name = name,
        ModuleName = PipelineFixture.Pipeline,
        TaskType = TaskType.Pipeline,
        LicenceId = "CC0-1.0",
        CommercialUseAllowed = true,
        Source = "data/demo/card-photos",
    };

    private async Task<int> ImportAsync(string name, string jsonl)
    {
        var result = await Fixture.Get<DatasetImporter>().ImportAsync(Request(name), DatasetSource.FromJsonl(jsonl));
        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        return result.Dataset!.Id;
    }

    private async Task<EvaluationRun> RunAsync(int runId)
    {
        await Fixture.Get<EvaluationRunner>().RunAsync(runId, null, CancellationToken.None);
        await using var db = await Fixture.CreateContextAsync();
        var run = await db.EvaluationRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
        Assert.True(run.Status == RunStatus.Completed, $"run {runId} is {run.Status}: {run.Error}");
        return run;
    }

    private async Task<EvaluationRun> EvaluateAsync(int datasetId)
    {
        var queued = await Fixture.Get<EvaluationService>().CreateAsync(reader.VersionId, datasetId);
        return await RunAsync(queued.Id);
    }

    /// <summary>The run's predictions with their samples, in dataset order; there must be exactly one per sample.</summary>
    private async Task<List<Stored>> PredictionsAsync(EvaluationRun run)
    {
        await using var db = await Fixture.CreateContextAsync();
        var samples = await db.Samples.AsNoTracking().Where(s => s.DatasetId == run.DatasetId).OrderBy(s => s.Ordinal).ToListAsync();
        var predictions = await db.Predictions.AsNoTracking().Where(p => p.EvaluationRunId == run.Id).ToListAsync();
        Assert.Equal(samples.Select(s => s.Id).Order(), predictions.Select(p => p.SampleId).Order());
        return samples.Select(s => new Stored(s, predictions.Single(p => p.SampleId == s.Id))).ToList();
    }

    [Fact]
    public async Task A_card_photo_set_is_evaluated_end_to_end_and_its_stored_metrics_match_the_stored_predictions()
    {
        // The first twelve photos (line 12 the reader gets wholly wrong), two more it gets partly wrong (line 23: the
        // number, line 40: the expiry date) and the first photo without any text (line 79: no card at all).
        var (jsonl, lines) = await WriteSetAsync("photos", [.. Enumerable.Range(1, 12), 23, 40, 79]);
        var datasetId = await ImportAsync("card-photos-15", jsonl);

        var run = await EvaluateAsync(datasetId);

        var stored = await PredictionsAsync(run);
        Assert.Equal((15, 15, 15), (stored.Count, run.CompletedSamples, run.TotalSamples));
        Assert.Null(run.Error);
        Assert.NotNull(run.CompletedAt);

        // Counted here: the truth from the labels file, the answers from each prediction's stored JSON.
        int numbers = 0, numbersRight = 0, expiries = 0, expiriesRight = 0, cards = 0, cardsRight = 0, aloneNumbersRight = 0, aloneExpiriesRight = 0;
        int rawNumbersRight = 0, rawExpiriesRight = 0;
        for (var i = 0; i < stored.Count; i++)
        {
            var (sample, prediction) = stored[i];
            var truth = Parse(lines[i]);
            var (number, expiry) = (truth.GetProperty("number").GetString()!, truth.GetProperty("expiry").GetString()!);
            Assert.Equal(i, sample.Ordinal);
            Assert.Equal(truth.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), sample.Tags);
            Assert.Null(prediction.Error);
            var detail = Parse(prediction.DetailJson!);
            var (read, readExpiry) = (detail.GetProperty("number").GetString()!, detail.GetProperty("expiry").GetString()!);
            Assert.True(detail.GetProperty("regions").GetArrayLength() <= detail.GetProperty("regionsFound").GetInt32());
            Assert.True(detail.GetProperty("times").GetProperty("detectMs").GetDouble() > 0);
            if (number.Length == 0 && expiry.Length == 0)
            {
                Assert.Equal(("", ""), (read, readExpiry)); // nothing made up where there is nothing
                Assert.Equal(JsonValueKind.Null, detail.GetProperty("aloneNumber").ValueKind);
                Assert.Equal("—", prediction.Output); // shown as a dash, as the truth of a photo without fields is
                continue;
            }

            // A field the photo has is right when read exactly: the number by its digits, the expiry as printed.
            var numberRight = number.Length == 0 || read == Digits(number);
            var expiryRight = expiry.Length == 0 || readExpiry == expiry;
            if (number.Length > 0)
            {
                numbers++;
                numbersRight += numberRight ? 1 : 0;
                rawNumbersRight += detail.GetProperty("numberRead").GetString() == number ? 1 : 0; // as printed, group spaces included
                aloneNumbersRight += Digits(detail.GetProperty("aloneNumber").GetString()!) == Digits(number) ? 1 : 0;
            }

            if (expiry.Length > 0)
            {
                expiries++;
                expiriesRight += expiryRight ? 1 : 0;
                rawExpiriesRight += detail.GetProperty("expiryRead").GetString() == expiry ? 1 : 0;
                aloneExpiriesRight += detail.GetProperty("aloneExpiry").GetString()!.Replace(" ", "", StringComparison.Ordinal) == expiry ? 1 : 0;
            }

            cards++;
            cardsRight += numberRight && expiryRight ? 1 : 0;
            Assert.Equal(numberRight && expiryRight, prediction.EditDistance == 0);
        }

        var metrics = RunMetricsCalculator.Parse(run.MetricsJson)!;
        Assert.Equal(("Pipeline", 15, 0), (metrics.Task, metrics.Count, metrics.Errors));
        var fields = metrics.Fields!;
        Assert.Equal(15, fields.Photos);
        Assert.Equal((double)cardsRight / cards, metrics.Headline.Value, 12);
        Assert.Equal(metrics.Headline, fields.CardsReadRight);
        var numberField = fields.Fields.Single(f => f.Field == CardField.Number);
        var expiryField = fields.Fields.Single(f => f.Field == CardField.Expiry);
        Assert.Equal((numbers, expiries), (numberField.Count, expiryField.Count));
        Assert.Equal((double)numbersRight / numbers, numberField.ExactMatch.Value, 12);
        Assert.Equal((double)expiriesRight / expiries, expiryField.ExactMatch.Value, 12);
        Assert.Equal((CardFieldMetrics.DefaultRule, "ignoring spaces"), (fields.Rule, fields.RuleDescription));
        Assert.Equal((double)rawNumbersRight / numbers, numberField.Raw!.ExactMatch.Value, 12);
        Assert.Equal((double)rawExpiriesRight / expiries, expiryField.Raw!.ExactMatch.Value, 12);
        Assert.True(rawNumbersRight <= numbersRight && rawExpiriesRight <= expiriesRight, "a field right as printed is right without spaces");
        // Every wrong field is put down to exactly one stage.
        Assert.Equal(numbers - numbersRight, numberField.Blamed.Values.Sum());
        Assert.Equal(expiries - expiriesRight, expiryField.Blamed.Values.Sum());
        Assert.Equal(numbers - numbersRight + expiries - expiriesRight, metrics.Blame!.Values.Sum());
        Assert.Equal(["detector", "parser", "recogniser"], metrics.Blame.Keys.Order());
        var alone = fields.RecogniserAlone.ToDictionary(a => a.Field);
        Assert.Equal((numbers, (double)aloneNumbersRight / numbers), (alone[CardField.Number].Count, alone[CardField.Number].ExactMatch.Value));
        Assert.Equal((expiries, (double)aloneExpiriesRight / expiries), (alone[CardField.Expiry].Count, alone[CardField.Expiry].ExactMatch.Value));
        Assert.Equal(15, metrics.PipelineStages!.EndToEnd.Count);
        Assert.Equal(15, metrics.Detection!.Images);

        // A reader that works reads most of these (on all 320 photos: 300 numbers and 301 expiry dates of 315), and
        // misses some, so the blame above has wrong fields to put down (measured: 12 numbers and 12 expiry dates of 14).
        var figures = $"numbers right {numbersRight}/{numbers}, expiry dates right {expiriesRight}/{expiries}, blame {string.Join(", ", metrics.Blame)}";
        Assert.True(numbersRight is >= 10 and < 14 && expiriesRight is >= 10 and < 14, figures);
    }

    [Fact]
    public async Task Under_an_exact_rule_the_fields_count_as_printed_and_the_scorecard_needs_a_run_under_the_rule_now()
    {
        var (jsonl, lines) = await WriteSetAsync("exact", Enumerable.Range(1, 6));
        var datasetId = await ImportAsync("card-photos-exact", jsonl);
        await SetRuleAsync(Core.Metrics.TextComparison.Exact);
        try
        {
            var run = await EvaluateAsync(datasetId);

            var fields = RunMetricsCalculator.Parse(run.MetricsJson)!.Fields!;
            var stored = await PredictionsAsync(run);
            var printedRight = stored.Select((s, i) => (Truth: Parse(lines[i]), Detail: Parse(s.Prediction.DetailJson!)))
                .Count(x => x.Detail.GetProperty("numberRead").GetString() == x.Truth.GetProperty("number").GetString());
            var number = fields.Fields.Single(f => f.Field == CardField.Number);
            Assert.Equal((Core.Metrics.TextComparison.Exact, "exact"), (fields.Rule, fields.RuleDescription));
            Assert.Equal(printedRight / 6.0, number.ExactMatch.Value, 12); // as printed: the gaps between groups count
            Assert.Equal(number.ExactMatch, number.Raw!.ExactMatch); // under an exact rule, raw and ruled are one comparison
            Assert.Equal(fields.CardsReadRight, fields.CardsReadRightRaw);
        }
        finally
        {
            await SetRuleAsync(CardFieldMetrics.DefaultRule);
        }
    }

    private async Task SetRuleAsync(Core.Metrics.TextComparison rule)
    {
        await using var db = await Fixture.CreateContextAsync();
        var module = await db.Modules.SingleAsync(m => m.Name == PipelineFixture.Pipeline);
        module.TextComparison = rule;
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_line_with_malformed_truth_is_an_import_issue_and_nothing_is_stored()
    {
        var (jsonl, lines) = await WriteSetAsync("bad", [1, 2, 3]);
        var threePoints = JsonNode.Parse(lines[1])!;
        threePoints["lines"]![0]!["points"]!.AsArray().RemoveAt(3);
        var noNumberLine = JsonNode.Parse(lines[2])!;
        var withoutNumber = noNumberLine["lines"]!.AsArray().Where(l => (string)l!["role"]! != "number").Select(l => l!.DeepClone()).ToArray();
        noNumberLine["lines"] = new JsonArray(withoutNumber);
        await File.WriteAllLinesAsync(jsonl, [lines[0], threePoints.ToJsonString(), noNumberLine.ToJsonString()]);
        await using (var db = await Fixture.CreateContextAsync())
        {
            Assert.False(await db.Datasets.AnyAsync(d => d.Name == "bad-truth"));
        }

        var before = await SampleCountAsync();

        var result = await Fixture.Get<DatasetImporter>().ImportAsync(Request("bad-truth"), DatasetSource.FromJsonl(jsonl));

        Assert.False(result.Succeeded);
        Assert.Null(result.Dataset);
        Assert.Equal(
            [
                "labels.jsonl line 2 (images/0002.jpg): the card photo's truth: line 1: \"role\", \"text\" and \"points\" (four [x, y] pairs of finite numbers) are required",
                "labels.jsonl line 3 (images/0003.jpg): the card photo's truth: the number is given but no line has the role \"number\"",
            ],
            result.Issues.Select(i => i.ToString()));
        await using var check = await Fixture.CreateContextAsync();
        Assert.False(await check.Datasets.AnyAsync(d => d.Name == "bad-truth"));
        Assert.Equal(before, await SampleCountAsync());
    }

    [Fact]
    public async Task A_photo_of_plain_colour_yields_empty_fields_and_no_error()
    {
        var folder = Directory.CreateDirectory(Path.Combine(input.Path, "plain", "images")).Parent!.FullName;
        using (var bitmap = new SKBitmap(480, 300))
        {
            bitmap.Erase(new SKColor(40, 90, 160));
            using var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            await File.WriteAllBytesAsync(Path.Combine(folder, "images", "plain.jpg"), jpeg.ToArray());
        }

        // Once with the first photo's truth (a number and an expiry nowhere to be seen), once as a photo without text.
        var claimed = JsonNode.Parse(Labels[0])!;
        claimed["image"] = "images/plain.jpg";
        var blank = """{"image": "images/plain.jpg", "number": "", "expiry": "", "lines": [], "tags": ["no-text"]}""";
        var jsonl = Path.Combine(folder, "labels.jsonl");
        await File.WriteAllLinesAsync(jsonl, [claimed.ToJsonString(), blank]);
        var datasetId = await ImportAsync("plain-colour", jsonl);

        var run = await EvaluateAsync(datasetId);

        var stored = await PredictionsAsync(run);
        Assert.Equal(2, stored.Count);
        foreach (var (_, prediction) in stored)
        {
            Assert.Null(prediction.Error);
            var detail = Parse(prediction.DetailJson!);
            Assert.Equal(("", "", false), (detail.GetProperty("number").GetString(), detail.GetProperty("expiry").GetString(), detail.GetProperty("numberPassesLuhn").GetBoolean()));
            Assert.Equal(0, detail.GetProperty("regions").GetArrayLength());
            Assert.Equal("—", prediction.Output);
        }

        var metrics = RunMetricsCalculator.Parse(run.MetricsJson)!;
        Assert.Equal((2, 0, 0.0), (metrics.Count, metrics.Errors, metrics.Headline.Value));
        // No region anywhere: both fields of the claimed card are the detector's misses.
        Assert.Equal(new Dictionary<string, int> { ["detector"] = 2, ["recogniser"] = 0, ["parser"] = 0 }, metrics.Blame);
    }

    [Fact]
    public async Task A_run_stopped_part_way_resumes_from_its_stored_predictions_and_ends_with_one_per_photo()
    {
        var (jsonl, _) = await WriteSetAsync("resume", [13, 14, 15, 16, 17]);
        var datasetId = await ImportAsync("card-photos-resume", jsonl);
        var first = await EvaluateAsync(datasetId);
        var whole = await PredictionsAsync(first);
        var firstMetrics = RunMetricsCalculator.Parse(first.MetricsJson)!;

        // As a run that stopped after three photos: two predictions gone, the run back in the queue.
        var lost = new[] { whole[1].Prediction.Id, whole[3].Prediction.Id };
        await using (var db = await Fixture.CreateContextAsync())
        {
            await db.Predictions.Where(p => lost.Contains(p.Id)).ExecuteDeleteAsync();
            var stopped = await db.EvaluationRuns.SingleAsync(r => r.Id == first.Id);
            (stopped.Status, stopped.CompletedSamples, stopped.MetricsJson, stopped.CompletedAt) = (RunStatus.Queued, 3, null, null);
            await db.SaveChangesAsync();
        }

        var resumed = await RunAsync(first.Id);

        var after = await PredictionsAsync(resumed);
        Assert.Equal((5, 5, 5), (after.Count, resumed.CompletedSamples, resumed.TotalSamples));
        // The three kept were not read again; the two lost were read anew, with the same answers (the CPU is deterministic).
        Assert.Equal([whole[0].Prediction.Id, whole[2].Prediction.Id, whole[4].Prediction.Id], [after[0].Prediction.Id, after[2].Prediction.Id, after[4].Prediction.Id]);
        Assert.All(lost, id => Assert.DoesNotContain(id, after.Select(s => s.Prediction.Id)));
        Assert.Equal(whole.Select(s => s.Prediction.Output), after.Select(s => s.Prediction.Output));
        var metrics = RunMetricsCalculator.Parse(resumed.MetricsJson)!;
        Assert.Equal((5, 0), (metrics.Count, metrics.Errors));
        Assert.Equal(firstMetrics.Headline, metrics.Headline);
        Assert.Equal(firstMetrics.Blame, metrics.Blame);
    }

    private async Task<int> SampleCountAsync()
    {
        await using var db = await Fixture.CreateContextAsync();
        return await db.Samples.CountAsync();
    }
}
