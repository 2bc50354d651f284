using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Data;

namespace QualityHub.Web.Features.Compare;

/// <summary>How far a batch run has come.</summary>
public sealed record BatchProgress(int Done, int Total, double ElapsedSeconds)
{
    public double SamplesPerSecond => ElapsedSeconds > 0 ? Done / ElapsedSeconds : 0;
}

/// <summary>One candidate's record over a batch.</summary>
public sealed record CandidateTally(int ModelVersionId, string Name, int Correct, int Answered, int Errors, string? LastError)
{
    /// <summary>Share of answered samples it got right; null before any answer.</summary>
    public double? Accuracy => Answered > 0 ? (double)Correct / Answered : null;
}

/// <summary>A sample on which the candidates' answers differ, with each candidate's answer (null: it failed).</summary>
public sealed record BatchDisagreement(SampleRef Sample, IReadOnlyList<string?> Outputs);

/// <summary>What a batch run found.</summary>
public sealed record BatchSummary(
    int FromOrdinal, int NextOrdinal, int Samples, int Agreed, int Compared, IReadOnlyList<CandidateTally> Candidates,
    IReadOnlyList<BatchDisagreement> Disagreements, double Seconds, bool Cancelled)
{
    /// <summary>Share of the samples every candidate answered on which they all gave the same answer.</summary>
    public double? AgreementRate => Compared > 0 ? (double)Agreed / Compared : null;
}

/// <summary>Runs the candidates over the next samples of a dataset, a few samples in flight so the engine can batch.</summary>
public sealed class BatchComparison(
    IDbContextFactory<QualityHubDbContext> contextFactory, CandidateSource source, ComparisonRunner runner, IOptions<CompareOptions> options)
{
    public async Task<BatchSummary> RunAsync(
        IReadOnlyList<Candidate> candidates, int datasetId, int fromOrdinal, int count,
        IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var limits = options.Value;
        if (count < 1 || count > limits.MaxBatchSamples)
        {
            throw new CompareException($"A batch takes between 1 and {limits.MaxBatchSamples} samples, not {count}.");
        }

        var samples = await NextSamplesAsync(datasetId, fromOrdinal, count, cancellationToken);
        var tally = new Tally(candidates);
        var clock = Stopwatch.StartNew();
        progress?.Report(new BatchProgress(0, samples.Count, 0));
        var cancelled = false;
        try
        {
            await Parallel.ForEachAsync(
                samples,
                new ParallelOptions { MaxDegreeOfParallelism = limits.BatchParallelism, CancellationToken = cancellationToken },
                async (sample, ct) =>
                {
                    var input = new CompareInput(await source.LoadImageAsync(sample, ct), sample);
                    var results = await runner.RunAllAsync(candidates, input, ct);
                    var done = tally.Add(sample, results);
                    progress?.Report(new BatchProgress(done, samples.Count, clock.Elapsed.TotalSeconds));
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }

        var next = samples.Count == 0 ? fromOrdinal : samples[^1].Ordinal + 1;
        return tally.Summary(fromOrdinal, next, clock.Elapsed.TotalSeconds, cancelled);
    }

    private async Task<List<SampleRef>> NextSamplesAsync(int datasetId, int fromOrdinal, int count, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Datasets.AnyAsync(d => d.Id == datasetId, cancellationToken))
        {
            throw new CompareException($"There is no dataset {datasetId}.", StatusCodes.Status404NotFound);
        }

        return await db.Samples.Where(s => s.DatasetId == datasetId && s.Ordinal >= fromOrdinal).OrderBy(s => s.Ordinal).Take(count)
            .Select(s => new SampleRef(s.Id, s.DatasetId, s.Ordinal, s.ImageSha256, s.GroundTruth, s.Tags))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The running counts; samples finish on several threads.</summary>
    private sealed class Tally(IReadOnlyList<Candidate> candidates)
    {
        private readonly Lock sync = new();
        private readonly int[] correct = new int[candidates.Count];
        private readonly int[] answered = new int[candidates.Count];
        private readonly int[] errors = new int[candidates.Count];
        private readonly string?[] lastErrors = new string?[candidates.Count];
        private readonly List<BatchDisagreement> disagreements = [];
        private int done;
        private int agreed;
        private int compared;

        public int Add(SampleRef sample, IReadOnlyList<CandidateResult> results)
        {
            lock (sync)
            {
                for (var i = 0; i < results.Count; i++)
                {
                    if (results[i].Succeeded)
                    {
                        answered[i]++;
                        correct[i] += results[i].Correct == true ? 1 : 0;
                    }
                    else
                    {
                        errors[i]++;
                        lastErrors[i] = results[i].Error;
                    }
                }

                if (results.All(r => r.Succeeded))
                {
                    compared++;
                    if (results.Select(r => r.Output).Distinct(StringComparer.Ordinal).Count() == 1)
                    {
                        agreed++;
                    }
                    else
                    {
                        disagreements.Add(new BatchDisagreement(sample, results.Select(r => r.Output).ToList()));
                    }
                }

                return ++done;
            }
        }

        public BatchSummary Summary(int from, int next, double seconds, bool cancelled)
        {
            lock (sync)
            {
                var tallies = candidates.Select((c, i) => new CandidateTally(c.VersionId, c.Name, correct[i], answered[i], errors[i], lastErrors[i])).ToList();
                var ordered = disagreements.OrderBy(d => d.Sample.Ordinal).ToList();
                // A cancelled batch starts again where it began: samples finish out of order.
                return new BatchSummary(from, cancelled ? from : next, done, agreed, compared, tallies, ordered, seconds, cancelled);
            }
        }
    }
}
