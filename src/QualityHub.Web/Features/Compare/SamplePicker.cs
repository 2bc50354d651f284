using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;

namespace QualityHub.Web.Features.Compare;

/// <summary>A dataset the Compare page can draw samples from.</summary>
public sealed record DatasetChoice(int Id, string Name, int Samples, IReadOnlyList<string> Labels, IReadOnlyList<string> Tags);

/// <summary>Finds inputs for a comparison: a random sample (optionally of one label or tag), or one where the candidates disagree.</summary>
public sealed class SamplePicker(
    IDbContextFactory<QualityHubDbContext> contextFactory, CandidateSource source, ComparisonRunner runner, IOptions<CompareOptions> options)
{
    /// <summary>The datasets of a module, with the labels and tags to filter by.</summary>
    public async Task<IReadOnlyList<DatasetChoice>> DatasetsOfAsync(int moduleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        // Test sets first: the page opens on the first, and a collection or regression set is a narrower choice.
        var datasets = await db.Datasets.Where(d => d.ModuleId == moduleId).OrderBy(d => d.Split == DatasetSplit.Test ? 0 : 1).ThenBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, d.Labels, Samples = d.Samples.Count })
            .ToListAsync(cancellationToken);
        var choices = new List<DatasetChoice>();
        foreach (var d in datasets)
        {
            var tags = await SampleTags.DistinctAsync(db, d.Id, cancellationToken);
            choices.Add(new DatasetChoice(d.Id, d.Name, d.Samples, d.Labels, tags));
        }

        return choices;
    }

    /// <summary>Up to <paramref name="count"/> random samples of the dataset with that ground truth and tag (either may be null).</summary>
    public async Task<IReadOnlyList<SampleRef>> RandomAsync(int datasetId, string? label, string? tag, int count, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Samples.Where(s => s.DatasetId == datasetId);
        if (!string.IsNullOrEmpty(label))
        {
            query = query.Where(s => s.GroundTruth == label);
        }

        if (!string.IsNullOrEmpty(tag))
        {
            query = query.Where(s => s.Tags.Contains(tag));
        }

        return await query.OrderBy(_ => EF.Functions.Random()).Take(count)
            .Select(s => new SampleRef(s.Id, s.DatasetId, s.Ordinal, s.ImageSha256, s.GroundTruth, s.Tags))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// A random matching sample on which the candidates give different answers, found by running them on random
    /// samples (up to the search limit); null when they agree on every one tried.
    /// </summary>
    public async Task<(CompareInput? Input, int Tried)> DisagreementAsync(
        IReadOnlyList<Candidate> candidates, int datasetId, string? label = null, string? tag = null, CancellationToken cancellationToken = default)
    {
        var limit = options.Value.DisagreementSearchLimit;
        for (var tried = 1; tried <= limit; tried++)
        {
            if (await RandomAsync(datasetId, label, tag, 1, cancellationToken) is not [var sample])
            {
                return (null, tried - 1);
            }

            var input = new CompareInput(await source.LoadImageAsync(sample, cancellationToken), sample);
            var results = await runner.RunAllAsync(candidates, input, cancellationToken);
            if (results.All(r => r.Succeeded) && results.Select(r => r.Output).Distinct(StringComparer.Ordinal).Count() > 1)
            {
                return (input, tried);
            }
        }

        return (null, limit);
    }
}
