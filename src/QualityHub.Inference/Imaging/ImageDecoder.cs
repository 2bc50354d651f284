namespace QualityHub.Inference.Imaging;

/// <summary>
/// The one way in for image files (JPEG, PNG, WebP, BMP, GIF): an upright 8-bit <see cref="Image"/>, gray images staying
/// 1-channel, or an <see cref="InvalidImageException"/> saying what is wrong. The pixel limit is checked from the header.
/// </summary>
/// <remarks>
/// PNG goes to our own <see cref="PngDecoder"/>, which measured faster than Skia's on the small gray PNGs evaluations
/// decode most (<c>qualityhub bench-decode</c>); every other format goes to <see cref="SkiaImageDecoder"/>. EXIF
/// orientation is applied; an animated GIF or WebP gives its first frame; CMYK JPEG and 16-bit PNG become 8-bit.
/// </remarks>
public static class ImageDecoder
{
    /// <summary>64 megapixels (8192 × 8192): far above any model input, far below what would exhaust the server.</summary>
    public const long DefaultMaxPixels = PngDecoder.DefaultMaxPixels;

    /// <summary>The formats accepted, for messages and file pickers.</summary>
    public const string AcceptedFormats = "JPEG, PNG, WebP, BMP or GIF";

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="data">The whole file; a PNG may be followed by other bytes, which are not read.</param>
    /// <param name="maxPixels">Images with more pixels (width × height) are refused from their header, before any allocation.</param>
    public static Image Decode(byte[] data, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        return IsPng(data) ? PngDecoder.Decode(data, maxPixels) : SkiaImageDecoder.Decode(data, maxPixels);
    }

    /// <summary>Reads the stream to its end and decodes it; bound its size before (the callers' byte limits do).</summary>
    public static Image Decode(Stream stream, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Decode(buffer.ToArray(), maxPixels);
    }

    /// <summary>
    /// Bytes to keep for an image decoded by <see cref="Decode(byte[], long)"/>: a PNG as it came, anything else as the PNG of
    /// its decoded pixels, so stored sample and ticket images stay PNG (upright, first frame, 8-bit) for every reader.
    /// </summary>
    public static byte[] AsPng(byte[] data, Image decoded)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(decoded);
        return IsPng(data) ? data : PngEncoder.Encode(decoded);
    }

    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(PngSignature);
}
