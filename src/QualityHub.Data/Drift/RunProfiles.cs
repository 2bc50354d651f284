using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using QualityHub.Client;
using QualityHub.Core.Domain;
using QualityHub.Core.Drift;
using QualityHub.Data.Content;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Drift;

/// <summary>
/// The reference profile of a completed evaluation run: its test set's inputs described as a service describes its
/// own (QualityHub.Client's InputDescriber on each sample's decoded image) and its outputs (confidence, label, text),
/// each prediction that was wrong counted as a correction. Computed once, the first time it is asked for, and stored
/// (<see cref="RunProfile"/> rows); later asks read the rows.
/// </summary>
public sealed class RunProfiles(IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store, TimeProvider clock, ILogger<RunProfiles> logger)
{
    private readonly SemaphoreSlim computing = new(1, 1);

    /// <summary>The run's histogram per descriptor; null when the run does not exist or has not completed.</summary>
    public async Task<IReadOnlyDictionary<string, DriftHistogram>?> GetAsync(int runId, CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(runId, cancellationToken) is { Count: > 0 } stored)
        {
            return stored;
        }

        await computing.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have stored it while this one waited.
            if (await ReadAsync(runId, cancellationToken) is { Count: > 0 } again)
            {
                return again;
            }

            var computed = await ComputeAsync(runId, cancellationToken);
            if (computed is null)
            {
                return null;
            }

            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var now = clock.GetUtcNow();
            db.RunProfiles.AddRange(computed.Select(p => new RunProfile
            {
                EvaluationRunId = runId,
                Descriptor = p.Key,
                Events = p.Value.Events,
                Bins = p.Value.ToJson(),
                ComputedAt = now,
            }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another instance stored the same profile first (its rows are the same counts); anything else is a real failure.
                if (await ReadAsync(runId, CancellationToken.None) is not { Count: > 0 })
                {
                    throw;
                }
            }

            return computed;
        }
        finally
        {
            computing.Release();
        }
    }

    private async Task<Dictionary<string, DriftHistogram>> ReadAsync(int runId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.RunProfiles.AsNoTracking().Where(p => p.EvaluationRunId == runId).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Descriptor, r => DriftHistogram.FromJson(r.Events, r.Bins), StringComparer.Ordinal);
    }

    /// <summary>Describes every sample of a completed run and bins it; null for a run that is missing or not completed.</summary>
    public async Task<Dictionary<string, DriftHistogram>?> ComputeAsync(int runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.EvaluationRuns.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Status, r.ModelVersion!.Module!.TaskType }).SingleOrDefaultAsync(cancellationToken);
        if (run is not { Status: RunStatus.Completed })
        {
            return null;
        }

        var rows = await db.Predictions.AsNoTracking().Where(p => p.EvaluationRunId == runId)
            .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new { p.Output, p.Error, p.Confidence, s.GroundTruth, s.ImageSha256 })
            .ToListAsync(cancellationToken);
        var histograms = new Dictionary<string, DriftHistogram>(StringComparer.Ordinal);
        var described = new Dictionary<string, InputDescriptors?>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!described.TryGetValue(row.ImageSha256, out var input))
            {
                described[row.ImageSha256] = input = Describe(row.ImageSha256);
            }

            var wrong = row.Error is not null || row.Output != TaskTypes.ExpectedOutput(run.TaskType, row.GroundTruth);
            var descriptors = new EventDescriptors(
                row.Confidence is { } c && double.IsFinite(c) ? Math.Clamp(c, 0, 1) : null, null,
                input?.Width, input?.Height, input?.Brightness, input?.Contrast, input?.Blur);
            foreach (var (descriptor, keys) in descriptors.Keys(run.TaskType, row.Error is null ? row.Output : null))
            {
                if (!histograms.TryGetValue(descriptor.Name, out var histogram))
                {
                    histograms[descriptor.Name] = histogram = new DriftHistogram();
                }

                histogram.AddEvent(keys, wrong);
            }
        }

        return histograms;
    }

    /// <summary>A stored image described as QualityHub.Client describes a service's inputs; null (and a warning) when its blob is gone or no longer decodes.</summary>
    public InputDescriptors? Describe(string sha256)
    {
        try
        {
            var image = ImageDecoder.Decode(File.ReadAllBytes(store.PathOf(sha256)));
            return InputDescriber.Describe(image.Width, image.Height, image.Channels, image.Pixels);
        }
        catch (Exception e) when (e is IOException or InvalidImageException or UnauthorizedAccessException)
        {
            logger.LogWarning("Sample image {Sha256} is not described for drift: {Reason}", sha256, e.Message);
            return null;
        }
    }
}
