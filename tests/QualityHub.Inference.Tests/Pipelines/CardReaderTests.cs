using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Pipelines;
using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Tests.Pipelines;

/// <summary>PP-OCRv4 detection, straightening, PP-OCRv4 recognition and the field parser on the demo's card photos.</summary>
public sealed class CardReaderTests : IAsyncLifetime
{
    private static readonly string Assets = RepositoryFiles.Path("node_modules", "@gutenye", "ocr-models", "assets");
    private static readonly string Models = RepositoryFiles.Path("data", "demo", "models");
    private readonly InferenceEngine engine = new(Options.Create(new InferenceOptions { Provider = ProviderPreference.Cpu }), NullLogger<InferenceEngine>.Instance);

    private static StageModel Detector => new(new ModelSpec("det", Path.Combine(Assets, "ch_PP-OCRv4_det_infer.onnx"), "pp-ocrv4-det"), ModelCard.Load(Path.Combine(Models, "pp-ocrv4-det.card.json")));

    private static StageModel Recogniser => new(new ModelSpec("rec", Path.Combine(Assets, "ch_PP-OCRv4_rec_infer.onnx"), "pp-ocrv4-rec"), ModelCard.Parse(File.ReadAllText(Path.Combine(Models, "pp-ocrv4-rec.card.json")), Assets)); // its charset ships with the model

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await engine.DisposeAsync();

    [Fact]
    public async Task The_card_photos_are_read_end_to_end_and_most_numbers_and_expiry_dates_come_out_right()
    {
        var folder = RepositoryFiles.Path("data", "demo", "card-photos");
        var reader = new CardReader(new ModelTaskRunner(engine));
        int photos = 0, withNumber = 0, numbersRight = 0, expiriesRight = 0, withoutText = 0, quietOnBlank = 0;
        foreach (var line in File.ReadLines(Path.Combine(folder, "labels.jsonl")))
        {
            using var label = JsonDocument.Parse(line);
            var root = label.RootElement;
            var photo = ImageDecoder.Decode(await File.ReadAllBytesAsync(Path.Combine(folder, root.GetProperty("image").GetString()!)), 40_000_000);
            var reading = await reader.ReadAsync(Detector, Recogniser, photo);
            var number = root.GetProperty("number").GetString()!.Replace(" ", "", StringComparison.Ordinal);
            photos++;
            if (number.Length == 0)
            {
                withoutText++;
                quietOnBlank += reading.Fields.Number.Length == 0 ? 1 : 0;
                continue;
            }

            withNumber++;
            numbersRight += reading.Fields.Number == number ? 1 : 0;
            expiriesRight += reading.Fields.Expiry == root.GetProperty("expiry").GetString() ? 1 : 0;
            Assert.True(reading.Times.DetectMs > 0);
            Assert.Equal(reading.Detection.Boxes.Count, reading.Lines.Sum(l => l.Count));
        }

        Assert.Equal((320, 315, 5), (photos, withNumber, withoutText));
        Assert.Equal(5, quietOnBlank); // no number is made up where there is none
        // Measured 2026-12-06 (README): 278 numbers and 297 expiry dates right of 315. Deterministic on the CPU, so a
        // broken stage falls well under these floors.
        Assert.True(numbersRight >= 260, $"numbers right {numbersRight} of {withNumber}, expiry dates right {expiriesRight}");
        Assert.True(expiriesRight >= 280, $"numbers right {numbersRight} of {withNumber}, expiry dates right {expiriesRight}");
    }

    [Fact]
    public async Task Stages_of_the_wrong_kinds_are_refused_naming_them()
    {
        var reader = new CardReader(new ModelTaskRunner(engine));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => reader.ReadAsync(Recogniser, Detector, new Image(32, 32, 3)));

        Assert.Contains("a text detector, then a text recogniser; it was given TextRecognition and TextDetection", error.Message);
    }
}
