namespace QualityHub.Core.Metrics;

/// <summary>
/// Values sorted once, so that a percentile of any resample of them (indices into the original order, drawn with
/// replacement) is read by counting instead of sorting: a resample's sorted values are the sorted values, each
/// repeated as often as it was drawn. O(n) per resample instead of O(n log n), with exactly the answer
/// <see cref="LatencyStats.Percentile"/> gives on the sorted resample.
/// </summary>
public sealed class RankedValues
{
    private readonly double[] sorted;
    private readonly int[] rankOf;

    private RankedValues(double[] sorted, int[] rankOf) => (this.sorted, this.rankOf) = (sorted, rankOf);

    public static RankedValues Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var order = Enumerable.Range(0, values.Count).ToArray();
        var keys = values.ToArray();
        Array.Sort(keys, order);
        var rankOf = new int[order.Length];
        for (var rank = 0; rank < order.Length; rank++)
        {
            rankOf[order[rank]] = rank;
        }

        return new RankedValues(keys, rankOf);
    }

    /// <summary>The <paramref name="percent"/>th percentile of the values at <paramref name="indices"/> (linear between ranks).</summary>
    public double Percentile(int[] indices, double percent)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length == 0)
        {
            return 0;
        }

        if (percent is < 0 or > 100 || double.IsNaN(percent))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is between 0 and 100.");
        }

        var n = sorted.Length;
        var counts = n <= 2048 ? stackalloc int[n] : new int[n];
        counts.Clear();
        foreach (var index in indices)
        {
            counts[rankOf[index]]++;
        }

        var rank = percent / 100 * (indices.Length - 1);
        var lowerRank = (int)Math.Floor(rank);
        var upperRank = Math.Min(lowerRank + 1, indices.Length - 1);
        var lower = ValueAt(counts, lowerRank);
        var upper = upperRank == lowerRank ? lower : ValueAt(counts, upperRank);
        return lower + (upper - lower) * (rank - lowerRank);
    }

    // The value at position `position` of the resample sorted: the first sorted value whose running count passes it.
    private double ValueAt(ReadOnlySpan<int> counts, int position)
    {
        var seen = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            seen += counts[k];
            if (seen > position)
            {
                return sorted[k];
            }
        }

        throw new InvalidOperationException("A position past the resample's end.");
    }
}
