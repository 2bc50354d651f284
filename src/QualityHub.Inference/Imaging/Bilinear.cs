namespace QualityHub.Inference.Imaging;

/// <summary>Bilinear resampling of 8-bit interleaved rasters, matching OpenCV's INTER_LINEAR (half-pixel centres, no antialiasing).</summary>
public static class Bilinear
{
    /// <summary>
    /// Resizes <paramref name="source"/> (sourceWidth × sourceHeight × channels bytes) into <paramref name="destination"/>
    /// (width × height × channels bytes), each channel on its own, alpha not premultiplied.
    /// Destination pixel x samples the source at sx = (x + 0.5) · sourceWidth / width − 0.5, clamped to [0, sourceWidth − 1]
    /// (likewise for y), blends the two neighbours on each axis by the fractional part and rounds half up.
    /// Without antialiasing, shrinking by more than 2× skips source pixels, as cv2.resize(INTER_LINEAR) does;
    /// PIL's BILINEAR filter, which widens its kernel when shrinking, gives different values there.
    /// </summary>
    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height, int channels)
    {
        var sourceLength = Image.CheckedLength(sourceWidth, sourceHeight, channels);
        var destinationLength = Image.CheckedLength(width, height, channels);
        if (source.Length != sourceLength)
        {
            throw new ArgumentException($"The source should hold {sourceLength} bytes, not {source.Length}.", nameof(source));
        }

        if (destination.Length != destinationLength)
        {
            throw new ArgumentException($"The destination should hold {destinationLength} bytes, not {destination.Length}.", nameof(destination));
        }

        if (width == sourceWidth && height == sourceHeight)
        {
            // Every sample lands exactly on a source pixel; copying gives the same bytes without the arithmetic.
            source.CopyTo(destination);
            return;
        }

        // Column offsets and weights are the same for every row: work them out once.
        var x0 = new int[width];
        var x1 = new int[width];
        var wx = new float[width];
        Axis(sourceWidth, width, x0, x1, wx);

        var stride = sourceWidth * channels;
        for (var y = 0; y < height; y++)
        {
            var (y0, y1, wy) = Sample(sourceHeight, height, y);
            var top = source.Slice(y0 * stride, stride);
            var bottom = source.Slice(y1 * stride, stride);
            var row = destination.Slice(y * width * channels, width * channels);
            for (var x = 0; x < width; x++)
            {
                int left = x0[x] * channels, right = x1[x] * channels;
                var fx = wx[x];
                for (var c = 0; c < channels; c++)
                {
                    var upper = top[left + c] + ((top[right + c] - top[left + c]) * fx);
                    var lower = bottom[left + c] + ((bottom[right + c] - bottom[left + c]) * fx);
                    var value = upper + ((lower - upper) * wy);
                    row[(x * channels) + c] = (byte)Math.Clamp((int)(value + 0.5f), 0, 255);
                }
            }
        }
    }

    private static void Axis(int sourceSize, int size, Span<int> first, Span<int> second, Span<float> weight)
    {
        for (var i = 0; i < size; i++)
        {
            (first[i], second[i], weight[i]) = Sample(sourceSize, size, i);
        }
    }

    private static (int First, int Second, float Weight) Sample(int sourceSize, int size, int index)
    {
        var position = ((index + 0.5) * sourceSize / size) - 0.5;
        if (position <= 0)
        {
            return (0, 0, 0f);
        }

        if (position >= sourceSize - 1)
        {
            return (sourceSize - 1, sourceSize - 1, 0f);
        }

        var first = (int)position;
        return (first, first + 1, (float)(position - first));
    }
}
