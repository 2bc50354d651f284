namespace QualityHub.Core.Metrics;

/// <summary>
/// A fixed, log-spaced latency histogram that can be summed across minutes, hours, releases, so percentiles over any
/// range come from added counts instead of the raw latencies.
/// </summary>
/// <remarks>
/// <para>Bucket 0 holds [0, 0.1 ms); buckets 1…62 split [0.1 ms, 60 s) into 62 equal steps of log(latency), each
/// <see cref="Ratio"/> = (60,000 / 0.1)^(1/62) ≈ 1.2394 times wider than the one before; bucket 63 holds 60 s and above.</para>
/// <para>Error bound: a percentile is reported as the geometric middle √(lo·hi) of the bucket holding the nearest-rank
/// value x (the ⌈p/100 · n⌉-th smallest), so for 0.1 ms ≤ x &lt; 60 s the estimate is within a factor √Ratio ≈ 1.1133 of x:
/// at most 11.33 % relative error (<see cref="RelativeErrorBound"/>). Below 0.1 ms the estimate is 0.05 ms (within 0.05 ms);
/// at 60 s and above it is 60 s, a lower bound.</para>
/// </remarks>
public static class LatencyHistogram
{
    public const int BucketCount = 64;
    public const double MinMs = 0.1;
    public const double MaxMs = 60_000;

    private const int LogBuckets = BucketCount - 2;
    private static readonly double LogMin = Math.Log(MinMs);
    private static readonly double LogStep = (Math.Log(MaxMs) - Math.Log(MinMs)) / LogBuckets;

    /// <summary>How much wider each log bucket is than the one before.</summary>
    public static double Ratio { get; } = Math.Exp(LogStep);

    /// <summary>Largest relative error of a percentile between 0.1 ms and 60 s: √Ratio − 1.</summary>
    public static double RelativeErrorBound { get; } = Math.Sqrt(Ratio) - 1;

    /// <summary>The bucket a latency falls in. Latencies must be finite and not negative.</summary>
    public static int BucketOf(double millis)
    {
        if (millis < MinMs)
        {
            return 0;
        }

        if (millis >= MaxMs)
        {
            return BucketCount - 1;
        }

        // Clamped because rounding can put a value a hair below a boundary one bucket too high.
        return Math.Clamp(1 + (int)((Math.Log(millis) - LogMin) / LogStep), 1, LogBuckets);
    }

    /// <summary>The lower edge of a bucket in milliseconds (0 for bucket 0).</summary>
    public static double LowerEdge(int bucket) => bucket switch
    {
        0 => 0,
        >= BucketCount - 1 => MaxMs,
        _ => Math.Exp(LogMin + (bucket - 1) * LogStep),
    };

    /// <summary>What a bucket stands for when a percentile falls in it (see the error bound).</summary>
    public static double Representative(int bucket) => bucket switch
    {
        0 => MinMs / 2,
        >= BucketCount - 1 => MaxMs,
        _ => Math.Exp(LogMin + (bucket - 0.5) * LogStep),
    };

    public static long[] Empty() => new long[BucketCount];

    /// <summary>Counts of <paramref name="millis"/> per bucket.</summary>
    public static long[] Of(IEnumerable<double> millis)
    {
        var counts = Empty();
        foreach (var m in millis)
        {
            counts[BucketOf(m)]++;
        }

        return counts;
    }

    /// <summary>Adds <paramref name="other"/> into <paramref name="into"/>.</summary>
    public static void Add(long[] into, ReadOnlySpan<long> other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            into[i] += other[i];
        }
    }

    /// <summary>
    /// The <paramref name="percent"/>th percentile: the representative of the bucket holding the ⌈p/100 · n⌉-th smallest
    /// latency (nearest rank, at least the first). Null for an empty histogram.
    /// </summary>
    public static double? Percentile(ReadOnlySpan<long> counts, double percent)
    {
        if (percent is < 0 or > 100 || double.IsNaN(percent))
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is between 0 and 100.");
        }

        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Representative(i);
            }
        }

        return Representative(counts.Length - 1);
    }

    /// <summary>Stores counts as 8-byte little-endian integers (the database's blob).</summary>
    public static byte[] ToBytes(ReadOnlySpan<long> counts)
    {
        var bytes = new byte[BucketCount * sizeof(long)];
        for (var i = 0; i < BucketCount; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), counts[i]);
        }

        return bytes;
    }

    /// <summary>Adds the counts stored by <see cref="ToBytes"/> into <paramref name="into"/>.</summary>
    public static void AddBytes(long[] into, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != BucketCount * sizeof(long))
        {
            throw new ArgumentException($"A stored latency histogram has {BucketCount * sizeof(long)} bytes, not {bytes.Length}.", nameof(bytes));
        }

        for (var i = 0; i < BucketCount; i++)
        {
            into[i] += System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * sizeof(long))..]);
        }
    }
}
