namespace QualityHub.Client;

/// <summary>
/// What an input image looks like, in the few numbers QualityHub compares between a test set and production:
/// its size, <see cref="Brightness"/> (mean luma, 0 black – 1 white), <see cref="Contrast"/> (the luma's standard
/// deviation, 0 – 0.5) and <see cref="Blur"/> (the variance of the luma's Laplacian on a 0–1 scale: low is blurred or
/// flat, high is sharp). Luma is Rec. 601 (0.299 R + 0.587 G + 0.114 B); alpha is ignored.
/// </summary>
public sealed record InputDescriptors(int Width, int Height, double Brightness, double Contrast, double Blur);

/// <summary>Computes <see cref="InputDescriptors"/> from decoded pixels, the same way for a service's inputs and a test set.</summary>
public static class InputDescriber
{
    /// <summary>
    /// Describes an 8-bit image of <paramref name="channels"/> interleaved channels (1 gray, 3 RGB, 4 RGBA), rows top to
    /// bottom. The Laplacian is the 4-neighbour one over the interior pixels; an image under 3 × 3 has a blur of 0.
    /// </summary>
    public static InputDescriptors Describe(int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        if (width < 1 || height < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"An image is at least 1 × 1 pixels, not {width} × {height}.");
        }

        if (channels is not (1 or 3 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), $"Images have 1, 3 or 4 channels, not {channels}.");
        }

        if ((long)width * height * channels != pixels.Length)
        {
            throw new ArgumentException($"A {width} × {height} image of {channels} channel(s) has {(long)width * height * channels} bytes, not {pixels.Length}.", nameof(pixels));
        }

        var luma = Luma(width, height, channels, pixels);
        var (mean, variance) = MeanAndVariance(luma);
        return new InputDescriptors(width, height, mean, Math.Sqrt(variance), LaplacianVariance(width, height, luma));
    }

    private static double[] Luma(int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        var luma = new double[width * height];
        for (var i = 0; i < luma.Length; i++)
        {
            var at = i * channels;
            luma[i] = (channels == 1 ? pixels[at] : (0.299 * pixels[at]) + (0.587 * pixels[at + 1]) + (0.114 * pixels[at + 2])) / 255.0;
        }

        return luma;
    }

    // Welford's running mean and variance (population), stable for large images.
    private static (double Mean, double Variance) MeanAndVariance(IEnumerable<double> values)
    {
        var (count, mean, squares) = (0L, 0.0, 0.0);
        foreach (var value in values)
        {
            count++;
            var delta = value - mean;
            mean += delta / count;
            squares += delta * (value - mean);
        }

        return count == 0 ? (0, 0) : (mean, squares / count);
    }

    private static double LaplacianVariance(int width, int height, double[] luma)
    {
        if (width < 3 || height < 3)
        {
            return 0;
        }

        return MeanAndVariance(Interior()).Variance;

        IEnumerable<double> Interior()
        {
            for (var y = 1; y < height - 1; y++)
            {
                for (var x = 1; x < width - 1; x++)
                {
                    var i = (y * width) + x;
                    yield return luma[i - 1] + luma[i + 1] + luma[i - width] + luma[i + width] - (4 * luma[i]);
                }
            }
        }
    }
}
