namespace QualityHub.Inference.Imaging;

/// <summary>Turns stored pixels upright as an EXIF orientation tag (1–8) says they should be shown.</summary>
internal static class ExifOrientation
{
    /// <summary>
    /// The upright image: 2 mirrors, 3 turns 180°, 4 flips, 5 transposes, 6 turns 90° clockwise, 7 transverses,
    /// 8 turns 90° anticlockwise. 1 (and any value outside 1–8, which the tag does not define) returns the same instance.
    /// </summary>
    public static Image Apply(Image image, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return image;
        }

        var (w, h, c) = (image.Width, image.Height, image.Channels);
        var swaps = orientation >= 5;
        var upright = new Image(swaps ? h : w, swaps ? w : h, c);
        var source = image.Pixels;
        var target = upright.Pixels;
        var stride = upright.Width;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var (tx, ty) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (h - 1 - y, x),
                    7 => (h - 1 - y, w - 1 - x),
                    _ => (y, w - 1 - x),
                };
                source.AsSpan(((y * w) + x) * c, c).CopyTo(target.AsSpan(((ty * stride) + tx) * c, c));
            }
        }

        return upright;
    }
}
