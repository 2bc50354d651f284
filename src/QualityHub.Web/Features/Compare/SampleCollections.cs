using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;

namespace QualityHub.Web.Features.Compare;

/// <summary>What goes into a collection: an image already in the store, its ground truth, and where it came from.</summary>
public sealed record CollectionItem(string ImageSha256, int Width, int Height, string GroundTruth, IReadOnlyList<string> Tags, int? FromDatasetId);

/// <summary>Where an item landed.</summary>
public sealed record CollectionEntry(int DatasetId, string Collection, long SampleId, int Samples, bool Created);

/// <summary>
/// Named sets of samples people pick from comparisons. A collection is a dataset (split "collection") of its
/// module, so everything that takes a dataset takes it. Its licence is that of its first item's dataset; items
/// under another licence are refused, so a collection never mixes terms. Uploaded images are the team's own.
/// </summary>
public sealed class SampleCollections(IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store)
{
    public const string UploadedLicence = "LicenseRef-QualityHub-Uploaded";

    /// <summary>The field a refusal about the collection's name points at.</summary>
    public const string CollectionField = "collection";

    /// <summary>The field a refusal about the item's ground truth points at.</summary>
    public const string TruthField = "groundTruth";

    public async Task<IReadOnlyList<string>> NamesAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Datasets.Where(d => d.ModuleId == moduleId && d.Split == DatasetSplit.Collection).OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Stores an uploaded image so it can join a collection.</summary>
    public async Task<string> StoreImageAsync(byte[] png, CancellationToken cancellationToken = default) =>
        (await store.PutAsync(png, cancellationToken)).Sha256;

    public async Task<CollectionEntry> AddAsync(int moduleId, string collection, CollectionItem item, CancellationToken cancellationToken = default)
    {
        collection = collection.Trim();
        if (collection.Length is 0 or > 100)
        {
            throw new CompareException("A collection needs a name of 1 to 100 characters.", field: CollectionField);
        }

        if (string.IsNullOrWhiteSpace(item.GroundTruth))
        {
            throw new CompareException("Give the item's ground truth (what the right answer is).", field: TruthField);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.FindAsync([moduleId], cancellationToken) ?? throw new CompareException($"There is no module {moduleId}.", StatusCodes.Status404NotFound);
        var origin = item.FromDatasetId is { } from ? await db.Datasets.FindAsync([from], cancellationToken) : null;
        var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Name == collection, cancellationToken);
        if (dataset is { } existing && (existing.Split != DatasetSplit.Collection || existing.ModuleId != moduleId))
        {
            throw new CompareException($"'{collection}' is already the name of a dataset that is not a collection of {module.Name}; choose another name.", field: CollectionField);
        }

        var created = dataset is null;
        dataset ??= NewCollection(collection, module, origin);
        var licence = origin?.LicenceId ?? UploadedLicence;
        if (!created && dataset.LicenceId != licence)
        {
            throw new CompareException($"Collection '{collection}' holds {dataset.LicenceId} material; this item is {licence}. Keep it in a collection of its own licence.", field: CollectionField);
        }

        if (dataset.Labels.Count > 0 && !dataset.Labels.Contains(item.GroundTruth))
        {
            throw new CompareException($"'{item.GroundTruth}' is not one of the collection's labels ({string.Join(", ", dataset.Labels)}).", field: TruthField);
        }

        var last = created ? null : await db.Samples.Where(s => s.DatasetId == dataset.Id).MaxAsync(s => (int?)s.Ordinal, cancellationToken);
        var ordinal = last + 1 ?? 0;
        var sample = new Sample { Dataset = dataset, Ordinal = ordinal, ImageSha256 = item.ImageSha256, Width = item.Width, Height = item.Height, GroundTruth = item.GroundTruth.Trim(), Tags = [.. item.Tags] };
        db.Samples.Add(sample);
        await db.SaveChangesAsync(cancellationToken);
        return new CollectionEntry(dataset.Id, dataset.Name, sample.Id, ordinal + 1, created);
    }

    private static Dataset NewCollection(string name, Module module, Dataset? origin) => new()
    {
        Name = name,
        ModuleId = module.Id,
        TaskType = module.TaskType,
        Split = DatasetSplit.Collection,
        Source = "Collected on the Compare page",
        LicenceId = origin?.LicenceId ?? UploadedLicence,
        CommercialUseAllowed = origin?.CommercialUseAllowed ?? true,
        Attribution = origin?.Attribution ?? "Images uploaded by the team.",
        Labels = origin?.Labels.ToList() ?? [],
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
