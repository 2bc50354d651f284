namespace QualityHub.Core.Metrics;

/// <summary>Latency percentiles of a set of requests, in milliseconds.</summary>
public sealed record LatencySummary(int Count, double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

/// <summary>Counts in equal-width bins: bin i covers [Start + i·BinWidth, Start + (i+1)·BinWidth).</summary>
public sealed record Histogram(double Start, double BinWidth, int[] Counts);

/// <summary>Percentiles and histograms of latencies.</summary>
public static class LatencyStats
{
    public static LatencySummary Summarize(IReadOnlyList<double> millis)
    {
        if (millis.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }

        var sorted = millis.ToArray();
        Array.Sort(sorted);
        var sum = 0.0;
        foreach (var v in sorted)
        {
            sum += v;
        }

        return new LatencySummary(sorted.Length, sum / sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted[^1]);
    }

    /// <summary>
    /// The <paramref name="percent"/>th percentile of ascending values, interpolating linearly between the two
    /// closest ranks (rank = p/100 · (n − 1)), as numpy.percentile does by default.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> sortedMillis, double percent)
    {
        if (sortedMillis.Count == 0)
        {
            return 0;
        }

        if (percent is < 0 or > 100 || double.IsNaN(percent))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is between 0 and 100.");
        }

        var rank = percent / 100 * (sortedMillis.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sortedMillis.Count - 1);
        return sortedMillis[lower] + (sortedMillis[upper] - sortedMillis[lower]) * (rank - lower);
    }

    /// <summary><paramref name="binCount"/> equal bins from the smallest value to the largest (the largest falls in the last bin).</summary>
    public static Histogram Histogram(IReadOnlyList<double> values, int binCount = 30)
    {
        if (binCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "A histogram has at least one bin.");
        }

        if (values.Count == 0)
        {
            return new Histogram(0, 0, []);
        }

        var min = values.Min();
        var max = values.Max();
        if (max == min)
        {
            return new Histogram(min, 1, [values.Count]);
        }

        var width = (max - min) / binCount;
        var counts = new int[binCount];
        foreach (var v in values)
        {
            counts[Math.Min(binCount - 1, (int)((v - min) / width))]++;
        }

        return new Histogram(min, width, counts);
    }
}
