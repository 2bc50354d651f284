namespace QualityHub.Inference.Imaging;

/// <summary>PNG's five scanline filters (filter method 0) in both directions, over bytes; bpp is whole bytes per pixel, at least 1.</summary>
internal static class PngFilters
{
    public const int None = 0;
    public const int Sub = 1;
    public const int Up = 2;
    public const int Average = 3;
    public const int Paeth = 4;

    /// <summary>Undoes <paramref name="filter"/> in place; <paramref name="prior"/> is the previous unfiltered row (zeros for a pass's first).</summary>
    public static bool TryUnfilter(int filter, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        switch (filter)
        {
            case None:
                return true;
            case Sub:
                for (var i = bpp; i < row.Length; i++)
                {
                    row[i] += row[i - bpp];
                }

                return true;
            case Up:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] += prior[i];
                }

                return true;
            case Average:
                for (var i = 0; i < bpp; i++)
                {
                    row[i] += (byte)(prior[i] >> 1);
                }

                for (var i = bpp; i < row.Length; i++)
                {
                    row[i] += (byte)((row[i - bpp] + prior[i]) >> 1);
                }

                return true;
            case Paeth:
                // With no left neighbour the predictor sees a = c = 0 and picks b, the byte above.
                for (var i = 0; i < bpp; i++)
                {
                    row[i] += prior[i];
                }

                for (var i = bpp; i < row.Length; i++)
                {
                    row[i] += Predict(row[i - bpp], prior[i], prior[i - bpp]);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes <paramref name="row"/> filtered with <paramref name="filter"/> into <paramref name="output"/> (same length, no filter byte).</summary>
    public static void Apply(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output)
    {
        // The first pixel has no left neighbour: left and upper-left count as 0 there.
        var first = Math.Min(bpp, row.Length);
        switch (filter)
        {
            case None:
                row.CopyTo(output);
                break;
            case Sub:
                row[..first].CopyTo(output);
                for (var i = bpp; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - row[i - bpp]);
                }

                break;
            case Up:
                for (var i = 0; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - prior[i]);
                }

                break;
            case Average:
                for (var i = 0; i < first; i++)
                {
                    output[i] = (byte)(row[i] - (prior[i] >> 1));
                }

                for (var i = bpp; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - ((row[i - bpp] + prior[i]) >> 1));
                }

                break;
            case Paeth:
                for (var i = 0; i < first; i++)
                {
                    output[i] = (byte)(row[i] - prior[i]);
                }

                for (var i = bpp; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - Predict(row[i - bpp], prior[i], prior[i - bpp]));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter, "PNG filter types are 0 to 4.");
        }
    }

    /// <summary>The Paeth predictor: whichever of left, above, upper-left is closest to left + above − upper-left, ties in that order.</summary>
    public static byte Predict(byte left, byte above, byte upperLeft)
    {
        var estimate = left + above - upperLeft;
        var toLeft = Math.Abs(estimate - left);
        var toAbove = Math.Abs(estimate - above);
        var toUpperLeft = Math.Abs(estimate - upperLeft);
        if (toLeft <= toAbove && toLeft <= toUpperLeft)
        {
            return left;
        }

        return toAbove <= toUpperLeft ? above : upperLeft;
    }
}
