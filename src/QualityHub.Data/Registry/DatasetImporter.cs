using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Registry;

/// <summary>
/// Imports a dataset from a <see cref="DatasetSource"/>: checks every item (a readable JPEG, PNG, WebP, BMP or GIF within the size limit,
/// known label, safe path), stores the images by content hash (as PNG: other formats are stored as the PNG of their
/// decoded, upright first frame), and registers the dataset with its samples in one
/// transaction — only when every item is valid. Otherwise it reports every problem found and registers nothing; the
/// images it stored are then left for <see cref="ContentSweeper"/>.
/// </summary>
public sealed partial class DatasetImporter(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ContentStore store,
    Drift.DatasetValidator validator,
    IOptions<RegistryOptions> options,
    ILogger<DatasetImporter> logger)
{
    /// <summary>Problems listed one by one; beyond these only their number is kept.</summary>
    public const int MaxIssuesReported = 1000;

    public async Task<DatasetImportResult> ImportAsync(
        DatasetImportRequest request, DatasetSource source, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var issues = new List<ImportIssue>(CheckRequest(request));
        issues.AddRange(source.Precheck(request, options.Value));
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Datasets.AnyAsync(d => d.Name == request.Name, cancellationToken))
            {
                issues.Add(new ImportIssue("name", $"a dataset named '{request.Name}' exists already"));
            }

            if (request.ModuleName is { } module && !await db.Modules.AnyAsync(m => m.Name == module, cancellationToken))
            {
                issues.Add(new ImportIssue("module", $"there is no module '{module}'"));
            }
        }

        if (issues.Count > 0)
        {
            return new DatasetImportResult(null, issues, 0, issues.Count);
        }

        // From the first image stored to the commit, however long the import takes: a sweep keeps what it stores (and
        // what it stores again that was there). Cancelled or refused, it leaves blobs no record names, and when the
        // lease ends the sweep may take them once they are older than its grace window.
        using var lease = store.LeaseWrites();
        var total = source.Count;
        var samples = new List<Sample>(total);
        var done = 0;
        var problems = 0;
        foreach (var item in source.Items(request))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var problem = item.Problem;
            if (problem is null)
            {
                try
                {
                    var bytes = item.ReadImage();
                    var image = ImageDecoder.Decode(bytes, options.Value.MaxImagePixels);
                    var blob = await store.PutAsync(ImageDecoder.AsPng(bytes, image), cancellationToken);
                    samples.Add(new Sample
                    {
                        Ordinal = samples.Count,
                        ImageSha256 = blob.Sha256,
                        Width = image.Width,
                        Height = image.Height,
                        GroundTruth = item.GroundTruth ?? "",
                        Tags = item.Tags.Distinct(StringComparer.Ordinal).ToList(),
                    });
                }
                catch (Exception e) when (e is InvalidImageException or IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    problem = e is InvalidImageException ? $"not a readable image: {e.Message}" : e.Message;
                }
            }

            if (problem is not null && ++problems <= MaxIssuesReported)
            {
                issues.Add(new ImportIssue(item.Reference, problem));
            }

            if (++done % 250 == 0 || done == total)
            {
                progress?.Report(new ImportProgress(done, total, "checking and storing images"));
            }
        }

        if (problems > 0)
        {
            return new DatasetImportResult(null, issues, done, problems);
        }

        if (samples.Count == 0)
        {
            return new DatasetImportResult(null, [new ImportIssue("items", "the import holds no items")], done, 1);
        }

        progress?.Report(new ImportProgress(done, total, "registering"));
        var dataset = await RegisterAsync(request, samples, cancellationToken);
        LogImported(dataset.Name, samples.Count);

        // The dataset is stored; its check against the module's data rules reports, it never undoes the import.
        progress?.Report(new ImportProgress(0, samples.Count, "checking the module's data rules"));
        var validation = await validator.ValidateAsync(
            dataset.Id, (checkedCount, total) => progress?.Report(new ImportProgress(checkedCount, total, "checking the module's data rules")), CancellationToken.None);
        return new DatasetImportResult(dataset, [], done, 0) { Validation = validation };
    }

    private static IEnumerable<ImportIssue> CheckRequest(DatasetImportRequest request)
    {
        if (request.Name.Trim().Length is 0 or > 200)
        {
            yield return new ImportIssue("name", "a name of 1 to 200 characters is required");
        }

        if (string.IsNullOrWhiteSpace(request.LicenceId))
        {
            yield return new ImportIssue("licence", "a licence identifier is required (SPDX or Creative Commons, e.g. CC-BY-4.0, or 'contract'): a model trained on data it may not use cannot ship");
        }

        if (request.Labels.Distinct(StringComparer.Ordinal).Count() != request.Labels.Count)
        {
            yield return new ImportIssue("labels", "the label set names a label twice");
        }
    }

    private async Task<Dataset> RegisterAsync(DatasetImportRequest request, List<Sample> samples, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moduleId = request.ModuleName is null ? (int?)null : (await db.Modules.SingleAsync(m => m.Name == request.ModuleName, cancellationToken)).Id;
        var labels = request.Labels.Count > 0 || request.TaskType != TaskType.ImageClassification
            ? request.Labels.ToList()
            : samples.Select(s => s.GroundTruth).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var dataset = new Dataset
        {
            Name = request.Name.Trim(),
            ModuleId = moduleId,
            TaskType = request.TaskType,
            Split = request.Split,
            Source = request.Source,
            LicenceId = request.LicenceId.Trim(),
            CommercialUseAllowed = request.CommercialUseAllowed,
            Attribution = request.Attribution,
            Labels = labels,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellationToken);

        db.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var chunk in samples.Chunk(2000))
        {
            foreach (var sample in chunk)
            {
                sample.DatasetId = dataset.Id;
            }

            db.Samples.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(cancellationToken);
        return dataset;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported dataset {Name} with {Count} samples")]
    private partial void LogImported(string name, int count);
}
