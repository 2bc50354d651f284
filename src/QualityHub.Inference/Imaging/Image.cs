namespace QualityHub.Inference.Imaging;

/// <summary>An 8-bit-per-channel raster: 1 channel (gray), 3 (RGB) or 4 (RGBA), rows top to bottom, channels interleaved.</summary>
public sealed class Image
{
    /// <summary>A black (and, with alpha, fully transparent) image.</summary>
    public Image(int width, int height, int channels)
    {
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = new byte[CheckedLength(width, height, channels)];
    }

    /// <summary>Wraps <paramref name="pixels"/> without copying; its length must be width × height × channels.</summary>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var length = CheckedLength(width, height, channels);
        if (pixels.Length != length)
        {
            throw new ArgumentException($"A {width}x{height} image with {channels} channel(s) needs {length} bytes, not {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>1 = gray, 3 = RGB, 4 = RGBA (straight, not premultiplied, alpha).</summary>
    public int Channels { get; }

    /// <summary>Width × Height × Channels bytes, row-major, channels interleaved.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    public Span<byte> GetRow(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return Pixels.AsSpan(y * Stride, Stride);
    }

    /// <summary>
    /// One-channel version: luma Y = (299 R + 587 G + 114 B) / 1000 (ITU-R BT.601, rounded), after compositing any alpha over white.
    /// Returns this same instance when the image is already gray.
    /// </summary>
    public Image ToGray()
    {
        if (Channels == 1)
        {
            return this;
        }

        var gray = new Image(Width, Height, 1);
        PixelConversion.ToGray(Pixels, Channels, gray.Pixels);
        return gray;
    }

    /// <summary>
    /// Three-channel version: gray is replicated; alpha is composited over white (c' = (c·a + 255·(255 − a)) / 255, rounded),
    /// because a white page is what a transparent scan or drawing shows. Returns this same instance when the image is already RGB.
    /// </summary>
    public Image ToRgb()
    {
        if (Channels == 3)
        {
            return this;
        }

        var rgb = new Image(Width, Height, 3);
        PixelConversion.ToRgb(Pixels, Channels, rgb.Pixels);
        return rgb;
    }

    /// <summary>Four-channel version: opaque (alpha 255) unless it already has alpha, in which case this same instance is returned.</summary>
    public Image ToRgba()
    {
        if (Channels == 4)
        {
            return this;
        }

        var rgba = new Image(Width, Height, 4);
        PixelConversion.ToRgba(Pixels, Channels, rgba.Pixels);
        return rgba;
    }

    /// <summary>A resized copy made by <see cref="Bilinear.Resize"/> (half-pixel centres, no antialiasing, per channel).</summary>
    public Image Resize(int width, int height)
    {
        var resized = new Image(width, height, Channels);
        Bilinear.Resize(Pixels, Width, Height, resized.Pixels, width, height, Channels);
        return resized;
    }

    internal static int CheckedLength(int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has 1 (gray), 3 (RGB) or 4 (RGBA) channels.");
        }

        var length = (long)width * height * channels;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"A {width}x{height} image with {channels} channel(s) needs {length} bytes, more than one .NET array can hold.");
        }

        return (int)length;
    }
}
