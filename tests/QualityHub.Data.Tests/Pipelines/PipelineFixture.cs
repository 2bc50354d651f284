using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using QualityHub.Core.Domain;
using QualityHub.Data.Registry;
using QualityHub.Inference;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Tests.Pipelines;

/// <summary>
/// A migrated database (on the run's engine) with storage and the in-process inference engine on the CPU, as the app
/// wires them, and the demo's PP-OCRv4 detector and recogniser registered as the demo registers them: the detector in
/// a text-detection module, the recogniser (its card with the charset inlined) in a text-recognition module.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public const string DetectorModule = "card-text-detector";
    public const string RecogniserModule = "card-text-recognizer";
    public const string Pipeline = "card-reader";

    private static readonly string Assets = RepositoryFiles.Path("node_modules", "@gutenye", "ocr-models", "assets");
    private static readonly string Cards = RepositoryFiles.Path("data", "demo", "models");

    private readonly TempFolder folder = new();
    private ServiceProvider services = null!;

    public string DataDirectory => folder.Path;

    public int DetectorId { get; private set; }

    public int RecogniserId { get; private set; }

    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    public Task<QualityHubDbContext> CreateContextAsync() => Get<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = folder.Path,
            ["Inference:Provider"] = "Cpu",
            ["Evaluation:BootstrapResamples"] = "200",
        };
        foreach (var (key, value) in TestDatabase.SettingsFor(folder.Path))
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        collection.AddQualityHubData(configuration);
        collection.AddQualityHubInference(configuration);
        services = collection.BuildServiceProvider();
        await Get<DatabaseInitializer>().InitializeAsync();

        var registry = Get<ModelRegistry>();
        await registry.AddModuleAsync(DetectorModule, TaskType.TextDetection, "photo of a payment card", "the text lines' boxes");
        await registry.AddModuleAsync(RecogniserModule, TaskType.TextRecognition, "text-line image", "string");
        await registry.AddModuleAsync("fashion", TaskType.ImageClassification, "28×28 gray image", "one of 10 classes");
        DetectorId = await ImportDemoModelAsync(DetectorModule, "pp-ocrv4-det", "ch_PP-OCRv4_det_infer.onnx", "pp-ocrv4-det.card.json", null);
        RecogniserId = await ImportDemoModelAsync(RecogniserModule, "pp-ocrv4-rec", "ch_PP-OCRv4_rec_infer.onnx", "pp-ocrv4-rec.card.json", Assets);
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        folder.Dispose();
    }

    /// <summary>The card reader's four stages, pinning the given detector and recogniser versions (the fixture's by default).</summary>
    public IReadOnlyList<StageRequest> CardReaderStages(int? detector = null, int? recogniser = null) =>
    [
        new StageRequest(PipelineStageKind.TextDetection, detector ?? DetectorId),
        new StageRequest(PipelineStageKind.Rectify),
        new StageRequest(PipelineStageKind.TextRecognition, recogniser ?? RecogniserId),
        new StageRequest(PipelineStageKind.CardFields),
    ];

    public Task<PipelineVersionInfo> RegisterCardReaderAsync(string version = "v1", string pipeline = Pipeline) =>
        Get<PipelineRegistry>().RegisterAsync(new PipelineVersionRequest(pipeline, version, CardReaderStages(), "Reads card photos.", "test"));

    /// <summary>
    /// A copy of a registered version's record under another name (the same blob and card, or none): for versions that
    /// differ from a registered one only in what the registry checks (status, card), without loading the model again.
    /// </summary>
    public async Task<int> CopyVersionAsync(int versionId, string name, bool withCard = true)
    {
        await using var db = await CreateContextAsync();
        var original = await db.ModelVersions.AsNoTracking().SingleAsync(v => v.Id == versionId);
        var copy = new ModelVersion
        {
            ModuleId = original.ModuleId,
            Name = name,
            Sha256 = original.Sha256,
            FileName = original.FileName,
            SizeBytes = original.SizeBytes,
            ModelCardJson = withCard ? original.ModelCardJson : null,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ModelVersions.Add(copy);
        await db.SaveChangesAsync();
        return copy.Id;
    }

    // As DemoContentLoader.RegisterDemoModelAsync: the card read with its charset folder and stored with the charset inlined.
    private async Task<int> ImportDemoModelAsync(string module, string version, string model, string cardFile, string? charsetFolder)
    {
        var card = ModelCard.Parse(await File.ReadAllTextAsync(Path.Combine(Cards, cardFile)), charsetFolder ?? Cards);
        var cardJson = (card.Ctc is null ? card : card with { Ctc = card.Ctc with { CharsetFile = null, AppendSpace = false } }).ToJson();
        await using var file = File.OpenRead(Path.Combine(Assets, model));
        var result = await Get<ModelRegistry>().ImportAsync(new ModelImportRequest(module, version, model, ModelStatus.Candidate, ModelCardJson: cardJson), file);
        return result.Version.Id;
    }
}
