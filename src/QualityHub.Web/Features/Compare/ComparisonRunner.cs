using System.Diagnostics;
using System.Runtime.CompilerServices;
using QualityHub.Core.Metrics;
using QualityHub.Inference;
using QualityHub.Inference.Tasks;

namespace QualityHub.Web.Features.Compare;

/// <summary>
/// Runs one input through several candidates at once and hands back each answer the moment it is ready. A failing
/// candidate yields an error result and the others go on; cancelling (the browser left) stops all of them.
/// </summary>
public sealed class ComparisonRunner(ModelTaskRunner runner, CandidateSource candidates)
{
    private int active;

    /// <summary>Candidate runs in progress now, across all comparisons (none once every comparison has ended).</summary>
    public int ActiveRuns => Volatile.Read(ref active);

    /// <summary>Each candidate's result in the order they finish.</summary>
    public async IAsyncEnumerable<CandidateResult> RunAsync(
        IReadOnlyList<Candidate> chosen, CompareInput input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var runs = chosen.Select(c => RunOneAsync(c, input, started, cancellationToken)).ToList();
        await foreach (var finished in Task.WhenEach(runs).WithCancellation(cancellationToken))
        {
            yield return await finished;
        }
    }

    /// <summary>Every candidate's result, in the order of <paramref name="chosen"/>.</summary>
    public async Task<IReadOnlyList<CandidateResult>> RunAllAsync(IReadOnlyList<Candidate> chosen, CompareInput input, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        return await Task.WhenAll(chosen.Select(c => RunOneAsync(c, input, started, cancellationToken)));
    }

    private async Task<CandidateResult> RunOneAsync(Candidate candidate, CompareInput input, long started, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref active);
        try
        {
            await Task.Yield();
            var result = await runner.RunAsync(candidate.Spec, candidate.Card, input.Image, cancellationToken);
            return Describe(candidate, result, input.GroundTruth, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = await candidates.ExistsAsync(candidate.VersionId, CancellationToken.None)
                ? Reason(e)
                : "This model version was deleted while the comparison ran.";
            return Failed(candidate, reason, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            Interlocked.Decrement(ref active);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "The model file is missing from the store.",
        OnnxRuntimeException or InvalidModelCardException or ArgumentException or NotSupportedException => e.Message,
        _ => $"The model failed: {e.Message}",
    };

    private static CandidateResult Failed(Candidate candidate, string reason, double serverMs) =>
        new(candidate.VersionId, candidate.Name, null, null, [], null, null, null, null, reason, serverMs);

    private static CandidateResult Describe(Candidate candidate, TaskResult result, string? groundTruth, double serverMs)
    {
        TextAnswer? text = null;
        if (result.Text is { } decoded)
        {
            text = new TextAnswer(
                decoded.Text, decoded.Characters, decoded.Confidences,
                groundTruth is null ? null : CharacterDiff.Align(groundTruth, decoded.Text),
                groundTruth is null ? null : EditDistance.Levenshtein(groundTruth, decoded.Text));
        }

        bool? correct = groundTruth is null ? null : string.Equals(result.Output, groundTruth, StringComparison.Ordinal);
        return new CandidateResult(
            candidate.VersionId, candidate.Name, result.Output, result.Confidence, result.TopK, text, result.Timing, result.Provider, correct, null, serverMs, result.RanOn);
    }
}
