namespace QualityHub.Core.Metrics;

/// <summary>Where one input's time went, in milliseconds; <see cref="TotalMs"/> is all of it (the sum of the stages as a run measures it).</summary>
public readonly record struct TimedInput(double DecodeMs, double PreprocessMs, double ComputeMs, double PostprocessMs, double TotalMs);

/// <summary>The median of each stage of <see cref="ProcessingTime"/>, in milliseconds.</summary>
public sealed record ProcessingStages(double DecodeMs, double PreprocessMs, double ComputeMs, double PostprocessMs);

/// <summary>
/// Processing time as QualityHub means it everywhere: the time from one input to its output, with nothing else in
/// flight — the stored, encoded image decoded, pre-processed, run through the model alone (a batch of one) and
/// post-processed into the final answer; the model's part is timed where it runs (in process or on a worker), without
/// hand-overs between threads or the network in between. Measured per run over its first <see cref="Samples"/> answered inputs; the
/// 95th percentile carries a 95 % bootstrap interval, because a p95 over a few hundred inputs moves between runs.
/// <see cref="ItemsPerSecond"/> is the rate of those inputs one after the other (throughput at batch 1): their count over their summed time.
/// </summary>
public sealed record ProcessingTime(
    int Samples,
    double MeanMs,
    double P50Ms,
    Estimate P95Ms,
    double P99Ms,
    double MaxMs,
    double ItemsPerSecond,
    ProcessingStages Stages,
    Histogram Histogram)
{
    /// <summary>The figures of <paramref name="inputs"/>, which took <paramref name="elapsedSeconds"/> one after another; null when none was timed.</summary>
    public static ProcessingTime? Of(IReadOnlyList<TimedInput> inputs, double elapsedSeconds, BootstrapSettings? bootstrap = null)
    {
        if (inputs.Count == 0)
        {
            return null;
        }

        var totals = inputs.Select(i => i.TotalMs).ToArray();
        var summary = LatencyStats.Summarize(totals);
        var ranked = RankedValues.Of(totals);
        var p95 = Bootstrap.Of(totals.Length, summary.P95Ms, indices => ranked.Percentile(indices, 95), bootstrap);
        static double Median(IEnumerable<double> values) => LatencyStats.Summarize(values.ToList()).P50Ms;
        var stages = new ProcessingStages(
            Median(inputs.Select(i => i.DecodeMs)), Median(inputs.Select(i => i.PreprocessMs)),
            Median(inputs.Select(i => i.ComputeMs)), Median(inputs.Select(i => i.PostprocessMs)));
        return new ProcessingTime(
            totals.Length, summary.MeanMs, summary.P50Ms, p95, summary.P99Ms, summary.MaxMs,
            elapsedSeconds > 0 ? totals.Length / elapsedSeconds : 0, stages, LatencyStats.Histogram(totals));
    }
}
