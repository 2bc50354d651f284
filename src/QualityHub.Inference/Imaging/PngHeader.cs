namespace QualityHub.Inference.Imaging;

/// <summary>The fields of a PNG's IHDR chunk that decoding needs, with the sizes derived from them.</summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    /// <summary>Adam7's seven passes as (first column, first row, column step, row step); a plain image is one pass (0, 0, 1, 1).</summary>
    private static readonly (int X, int Y, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static readonly (int X, int Y, int Dx, int Dy)[] Progressive = [(0, 0, 1, 1)];

    public int SamplesPerPixel => ColorType switch
    {
        PngColorType.Gray or PngColorType.Palette => 1,
        PngColorType.GrayAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    public int BitsPerPixel => SamplesPerPixel * BitDepth;

    /// <summary>The byte distance the filters look back: one pixel, or one byte when pixels are smaller than a byte.</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    public IReadOnlyList<(int X, int Y, int Dx, int Dy)> Passes => Interlaced ? Adam7 : Progressive;

    /// <summary>Bytes of one scanline of <paramref name="pixels"/> pixels, without its filter-type byte.</summary>
    public long RowBytes(long pixels) => ((pixels * BitsPerPixel) + 7) / 8;

    /// <summary>Pixels across and rows down of a pass; zero when the image is too small for the pass to hold any pixel.</summary>
    public (int Width, int Height) PassSize((int X, int Y, int Dx, int Dy) pass) =>
        (Width > pass.X ? ((Width - pass.X) + pass.Dx - 1) / pass.Dx : 0, Height > pass.Y ? ((Height - pass.Y) + pass.Dy - 1) / pass.Dy : 0);

    /// <summary>Bytes the decompressed IDAT stream must hold: every non-empty pass's scanlines, each with its filter byte.</summary>
    public long ImageDataLength()
    {
        long total = 0;
        foreach (var pass in Passes)
        {
            var (width, height) = PassSize(pass);
            if (width > 0 && height > 0)
            {
                total += height * (1 + RowBytes(width));
            }
        }

        return total;
    }
}
