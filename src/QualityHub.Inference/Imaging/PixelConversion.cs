namespace QualityHub.Inference.Imaging;

/// <summary>The colour conversions behind <see cref="Image.ToGray"/>, <see cref="Image.ToRgb"/> and the tensor writer, in one place so they agree.</summary>
internal static class PixelConversion
{
    /// <summary>ITU-R BT.601 luma in integers, rounded (the weights PIL's "L" mode uses).</summary>
    public static byte Luma(int r, int g, int b) => (byte)(((r * 299) + (g * 587) + (b * 114) + 500) / 1000);

    /// <summary>Straight alpha composited over white, rounded.</summary>
    public static byte OverWhite(int c, int a) => (byte)(((c * a) + (255 * (255 - a)) + 127) / 255);

    public static void ToGray(ReadOnlySpan<byte> source, int channels, Span<byte> gray)
    {
        for (int i = 0, s = 0; i < gray.Length; i++, s += channels)
        {
            gray[i] = channels switch
            {
                1 => source[s],
                3 => Luma(source[s], source[s + 1], source[s + 2]),
                _ => Luma(OverWhite(source[s], source[s + 3]), OverWhite(source[s + 1], source[s + 3]), OverWhite(source[s + 2], source[s + 3])),
            };
        }
    }

    public static void ToRgb(ReadOnlySpan<byte> source, int channels, Span<byte> rgb)
    {
        for (int d = 0, s = 0; d < rgb.Length; d += 3, s += channels)
        {
            switch (channels)
            {
                case 1:
                    rgb[d] = rgb[d + 1] = rgb[d + 2] = source[s];
                    break;
                case 3:
                    rgb[d] = source[s];
                    rgb[d + 1] = source[s + 1];
                    rgb[d + 2] = source[s + 2];
                    break;
                default:
                    var a = source[s + 3];
                    rgb[d] = OverWhite(source[s], a);
                    rgb[d + 1] = OverWhite(source[s + 1], a);
                    rgb[d + 2] = OverWhite(source[s + 2], a);
                    break;
            }
        }
    }

    public static void ToRgba(ReadOnlySpan<byte> source, int channels, Span<byte> rgba)
    {
        for (int d = 0, s = 0; d < rgba.Length; d += 4, s += channels)
        {
            if (channels == 1)
            {
                rgba[d] = rgba[d + 1] = rgba[d + 2] = source[s];
            }
            else
            {
                rgba[d] = source[s];
                rgba[d + 1] = source[s + 1];
                rgba[d + 2] = source[s + 2];
            }

            rgba[d + 3] = channels == 4 ? source[s + 3] : (byte)255;
        }
    }
}
