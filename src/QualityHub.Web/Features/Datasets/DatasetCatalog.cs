using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;

namespace QualityHub.Web.Features.Datasets;

/// <summary>A dataset's licence: whether a model trained on it may ship.</summary>
public sealed record Licence(string Id, bool CommercialUseAllowed, string Attribution);

/// <summary>A dataset as lists show it.</summary>
public sealed record DatasetSummary(
    int Id, string Name, int? ModuleId, string? Module, TaskType TaskType, DatasetSplit Split, string Source, Licence Licence,
    IReadOnlyList<string> Labels, int Samples, DateTimeOffset CreatedAt, int Version = 1, int? PreviousVersionId = null);

/// <summary>How many samples carry a tag (a kind such as printed or rotated) or a ground-truth label.</summary>
public sealed record CountOf(string Name, int Count);

/// <summary>A dataset in full: kinds and labels with their quantities.</summary>
public sealed record DatasetDetail(DatasetSummary Summary, IReadOnlyList<CountOf> Kinds, IReadOnlyList<CountOf> LabelCounts);

/// <summary>One sample as the thumbnail grid and the API show it; ImageData is the PNG as a data: URL when asked for and small.</summary>
public sealed record SampleItem(long Id, int Ordinal, int Width, int Height, string GroundTruth, IReadOnlyList<string> Tags, string ImageUrl, string? ImageData = null);

/// <summary>A page of samples and how many there are in all.</summary>
public sealed record SamplePage(IReadOnlyList<SampleItem> Items, int Total);

/// <summary>Which samples a grid shows: those with this ground-truth label and/or this kind (tag); null is any.</summary>
public sealed record SampleFilter(string? Label = null, string? Tag = null)
{
    public static readonly SampleFilter None = new();
}

/// <summary>Reads datasets and samples for the Datasets pages and the API.</summary>
public sealed class DatasetCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store)
{
    public const int MaxPageSize = 1000;

    /// <summary>Largest image inlined into a page of samples (a 28×28 PNG is about 400 bytes; a text line a few KB).</summary>
    public const int MaxInlineImageBytes = 8 * 1024;

    public async Task<IReadOnlyList<DatasetSummary>> GetDatasetsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Datasets.OrderBy(d => d.Name)
            .Select(d => new { Dataset = d, Module = d.Module!.Name, Samples = d.Samples.Count })
            .ToListAsync(cancellationToken);
        return rows.Select(r => Summarise(r.Dataset, r.Module, r.Samples)).ToList();
    }

    public async Task<DatasetDetail?> GetDatasetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Datasets.Where(d => d.Id == id)
            .Select(d => new { Dataset = d, Module = d.Module!.Name, Samples = d.Samples.Count })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var kinds = (await SampleTags.CountAsync(db, id, cancellationToken)).Select(k => new CountOf(k.Tag, k.Count)).ToList();
        var labels = row.Dataset.TaskType == TaskType.ImageClassification
            ? await db.Samples.Where(s => s.DatasetId == id).GroupBy(s => s.GroundTruth).Select(g => new CountOf(g.Key, g.Count())).ToListAsync(cancellationToken)
            : [];
        return new DatasetDetail(
            Summarise(row.Dataset, row.Module, row.Samples),
            kinds.OrderByDescending(k => k.Count).ThenBy(k => k.Name, StringComparer.Ordinal).ToList(),
            labels.OrderBy(l => row.Dataset.Labels.IndexOf(l.Name) is var i && i < 0 ? int.MaxValue : i).ThenBy(l => l.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>Samples in dataset order; null when the dataset does not exist.</summary>
    public async Task<SamplePage?> GetSamplesAsync(int datasetId, int skip, int take, CancellationToken cancellationToken = default) =>
        await GetSamplesAsync(datasetId, skip, take, inlineImages: false, SampleFilter.None, cancellationToken);

    /// <summary>
    /// Samples in dataset order; with <paramref name="inlineImages"/>, images up to <see cref="MaxInlineImageBytes"/>
    /// come inside the page as data: URLs, so a grid needs one request per page instead of one per thumbnail. The
    /// filter keeps samples of one label and/or one kind; the total counts what it keeps.
    /// </summary>
    public async Task<SamplePage?> GetSamplesAsync(int datasetId, int skip, int take, bool inlineImages, SampleFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Datasets.AnyAsync(d => d.Id == datasetId, cancellationToken))
        {
            return null;
        }

        var query = db.Samples.Where(s => s.DatasetId == datasetId);
        if (filter.Label is { } label)
        {
            query = query.Where(s => s.GroundTruth == label);
        }

        if (filter.Tag is { } tag)
        {
            query = query.Where(s => s.Tags.Contains(tag));
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(s => s.Ordinal).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, MaxPageSize))
            .Select(s => new { s.Id, s.Ordinal, s.Width, s.Height, s.GroundTruth, s.Tags, s.ImageSha256 })
            .ToListAsync(cancellationToken);
        return new SamplePage(items.Select(s => new SampleItem(
            s.Id, s.Ordinal, s.Width, s.Height, s.GroundTruth, s.Tags, $"api/samples/{s.Id}/image", inlineImages ? InlineImage(s.ImageSha256) : null)).ToList(), total);
    }

    /// <summary>The content hash of a sample's image, or null.</summary>
    public async Task<string?> GetImageHashAsync(long sampleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Samples.Where(s => s.Id == sampleId).Select(s => s.ImageSha256).SingleOrDefaultAsync(cancellationToken);
    }

    private static DatasetSummary Summarise(Dataset d, string? module, int samples) => new(
        d.Id, d.Name, d.ModuleId, module, d.TaskType, d.Split, d.Source, new Licence(d.LicenceId, d.CommercialUseAllowed, d.Attribution), d.Labels, samples, d.CreatedAt,
        d.Version, d.PreviousVersionId);

    /// <summary>A stored PNG as a data: URL when it is small enough to travel inside a page of items; otherwise null.</summary>
    public string? InlineImage(string sha256)
    {
        try
        {
            var info = new FileInfo(store.PathOf(sha256));
            return info.Exists && info.Length <= MaxInlineImageBytes ? "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(info.FullName)) : null;
        }
        catch (IOException)
        {
            return null; // the grid falls back to the image URL
        }
    }
}
