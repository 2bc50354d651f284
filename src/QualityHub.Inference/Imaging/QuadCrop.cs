using QualityHub.Core.Metrics;

namespace QualityHub.Inference.Imaging;

/// <summary>
/// A detected region cut out of a photo and straightened: the quadrilateral's corners (clockwise from its top-left)
/// are mapped onto an upright rectangle by the perspective transform between them, sampled bilinearly, with the
/// photo's edge pixels repeated outside it. The rectangle is as wide as the quad's longer top or bottom side and as
/// high as its longer left or right side; a result at least 1.5 times as high as wide is a vertical line and is turned
/// a quarter counter-clockwise so that it reads left to right (what a recogniser of lines expects).
/// </summary>
public static class QuadCrop
{
    /// <summary>The most pixels a side of a crop may have; a larger quad is refused rather than allocated.</summary>
    public const int MaxSide = 8192;

    public static Image Rectify(Image photo, IReadOnlyList<Vertex> corners)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(corners);
        if (corners.Count != 4 || corners.Any(p => !float.IsFinite(p.X) || !float.IsFinite(p.Y)))
        {
            throw new ArgumentException("A crop takes four corners with finite coordinates.", nameof(corners));
        }

        static double Distance(Vertex a, Vertex b) => Math.Sqrt(((double)a.X - b.X) * ((double)a.X - b.X) + ((double)a.Y - b.Y) * ((double)a.Y - b.Y));
        var width = (int)Math.Round(Math.Max(Distance(corners[0], corners[1]), Distance(corners[3], corners[2])));
        var height = (int)Math.Round(Math.Max(Distance(corners[0], corners[3]), Distance(corners[1], corners[2])));
        if (width < 1 || height < 1 || width > MaxSide || height > MaxSide)
        {
            throw new ArgumentException($"A {width}x{height} crop is not a usable text line (1 to {MaxSide} pixels a side).", nameof(corners));
        }

        // The transform from crop to photo coordinates, crop corners (0,0) (w,0) (w,h) (0,h) to the quad's (as PaddleOCR
        // straightens its crops): an upright quad on pixel centres is cut out pixel for pixel.
        var h = Homography(
            [(0, 0), (width, 0), (width, height), (0, height)],
            corners.Select(p => ((double)p.X, (double)p.Y)).ToArray());
        var channels = photo.Channels;
        var crop = new Image(width, height, channels);
        var sample = new double[channels];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var w = h[6] * x + h[7] * y + 1;
                var sx = (h[0] * x + h[1] * y + h[2]) / w;
                var sy = (h[3] * x + h[4] * y + h[5]) / w;
                Bilinear(photo, sx, sy, sample);
                var at = (y * width + x) * channels;
                for (var c = 0; c < channels; c++)
                {
                    crop.Pixels[at + c] = (byte)Math.Clamp(Math.Round(sample[c]), 0, 255);
                }
            }
        }

        return height >= width * 1.5 ? TurnCounterClockwise(crop) : crop;
    }

    // The 3x3 perspective transform (h[8] = 1) taking each `from` point to its `to` point: eight equations, solved by
    // Gaussian elimination with partial pivoting.
    private static double[] Homography((double X, double Y)[] from, (double X, double Y)[] to)
    {
        var a = new double[8, 9];
        for (var i = 0; i < 4; i++)
        {
            var (x, y) = from[i];
            var (u, v) = to[i];
            double[] first = [x, y, 1, 0, 0, 0, -u * x, -u * y, u];
            double[] second = [0, 0, 0, x, y, 1, -v * x, -v * y, v];
            for (var j = 0; j < 9; j++)
            {
                a[2 * i, j] = first[j];
                a[2 * i + 1, j] = second[j];
            }
        }

        for (var col = 0; col < 8; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < 8; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-12)
            {
                throw new ArgumentException("The four corners do not make a quadrilateral (three of them are on one line).");
            }

            for (var j = 0; j < 9; j++)
            {
                (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            }

            for (var row = 0; row < 8; row++)
            {
                if (row == col)
                {
                    continue;
                }

                var factor = a[row, col] / a[col, col];
                for (var j = col; j < 9; j++)
                {
                    a[row, j] -= factor * a[col, j];
                }
            }
        }

        var h = new double[8];
        for (var i = 0; i < 8; i++)
        {
            h[i] = a[i, 8] / a[i, i];
        }

        return h;
    }

    // The photo at a real-valued position, its edge pixels repeated beyond it.
    private static void Bilinear(Image photo, double x, double y, double[] result)
    {
        x = Math.Clamp(x, 0, photo.Width - 1);
        y = Math.Clamp(y, 0, photo.Height - 1);
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        int x1 = Math.Min(x0 + 1, photo.Width - 1), y1 = Math.Min(y0 + 1, photo.Height - 1);
        double fx = x - x0, fy = y - y0;
        var channels = photo.Channels;
        for (var c = 0; c < channels; c++)
        {
            double P(int px, int py) => photo.Pixels[(py * photo.Width + px) * channels + c];
            result[c] = (P(x0, y0) * (1 - fx) + P(x1, y0) * fx) * (1 - fy) + (P(x0, y1) * (1 - fx) + P(x1, y1) * fx) * fy;
        }
    }

    private static Image TurnCounterClockwise(Image image)
    {
        var turned = new Image(image.Height, image.Width, image.Channels);
        var channels = image.Channels;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                // (x, y) goes to (y, width - 1 - x): the top row becomes the left column, read bottom to top.
                var from = (y * image.Width + x) * channels;
                var to = ((image.Width - 1 - x) * turned.Width + y) * channels;
                image.Pixels.AsSpan(from, channels).CopyTo(turned.Pixels.AsSpan(to, channels));
            }
        }

        return turned;
    }
}
