namespace QualityHub.Inference.Imaging;

/// <summary>
/// Turns unfiltered PNG scanlines of any colour type and bit depth into 8-bit gray, RGB or RGBA pixels: low bit depths
/// are stretched to 0–255, 16-bit samples rounded to 8 bits, palettes looked up, and tRNS transparency made an alpha channel.
/// </summary>
internal sealed class PngPixelUnpacker
{
    private readonly PngHeader header;
    private readonly byte[]? palette;
    private readonly byte[]? paletteAlpha;
    private readonly int[]? transparentKey;

    /// <param name="header">The image's IHDR.</param>
    /// <param name="palette">PLTE's RGB triples, for colour type 3.</param>
    /// <param name="transparency">tRNS's data, if the file had it: palette alphas, or the gray or RGB sample values that mean "transparent".</param>
    public PngPixelUnpacker(PngHeader header, byte[]? palette, byte[]? transparency)
    {
        this.header = header;
        this.palette = palette;
        if (transparency is not null)
        {
            if (header.ColorType == PngColorType.Palette)
            {
                // Entries tRNS does not reach are opaque.
                paletteAlpha = new byte[256];
                Array.Fill(paletteAlpha, (byte)255);
                transparency.CopyTo(paletteAlpha, 0);
            }
            else
            {
                transparentKey = new int[transparency.Length / 2];
                for (var i = 0; i < transparentKey.Length; i++)
                {
                    transparentKey[i] = (transparency[2 * i] << 8) | transparency[(2 * i) + 1];
                }
            }
        }

        OutputChannels = header.ColorType switch
        {
            PngColorType.Gray => transparentKey is null ? 1 : 4,
            PngColorType.Rgb => transparentKey is null ? 3 : 4,
            PngColorType.Palette => paletteAlpha is null ? 3 : 4,
            _ => 4,
        };
    }

    /// <summary>Channels of the decoded <see cref="Image"/>: gray with alpha becomes RGBA, since an Image has 1, 3 or 4 channels.</summary>
    public int OutputChannels { get; }

    /// <summary>Unpacks <paramref name="count"/> pixels of <paramref name="raw"/> into <paramref name="row"/> at columns x0, x0 + dx, ….</summary>
    public void Unpack(ReadOnlySpan<byte> raw, int count, Span<byte> row, int x0, int dx)
    {
        var channels = OutputChannels;
        var depth = header.BitDepth;
        if (depth == 8 && dx == 1 && header.SamplesPerPixel == channels)
        {
            raw[..(count * channels)].CopyTo(row[(x0 * channels)..]);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var o = (x0 + (i * dx)) * channels;
            switch (header.ColorType)
            {
                case PngColorType.Gray:
                    {
                        var v = Sample(raw, i, depth);
                        var gray = Scale(v, depth);
                        row[o] = gray;
                        if (channels == 4)
                        {
                            row[o + 1] = row[o + 2] = gray;
                            row[o + 3] = v == transparentKey![0] ? (byte)0 : (byte)255;
                        }

                        break;
                    }

                case PngColorType.Rgb:
                    {
                        int r = Sample(raw, 3 * i, depth), g = Sample(raw, (3 * i) + 1, depth), b = Sample(raw, (3 * i) + 2, depth);
                        row[o] = Scale(r, depth);
                        row[o + 1] = Scale(g, depth);
                        row[o + 2] = Scale(b, depth);
                        if (channels == 4)
                        {
                            var key = transparentKey!;
                            row[o + 3] = r == key[0] && g == key[1] && b == key[2] ? (byte)0 : (byte)255;
                        }

                        break;
                    }

                case PngColorType.Palette:
                    {
                        var index = Sample(raw, i, depth);
                        if (3 * index >= palette!.Length)
                        {
                            throw new InvalidImageException($"A pixel uses palette index {index}, but PLTE has only {palette.Length / 3} entries.");
                        }

                        row[o] = palette[3 * index];
                        row[o + 1] = palette[(3 * index) + 1];
                        row[o + 2] = palette[(3 * index) + 2];
                        if (channels == 4)
                        {
                            row[o + 3] = paletteAlpha![index];
                        }

                        break;
                    }

                case PngColorType.GrayAlpha:
                    row[o] = row[o + 1] = row[o + 2] = Scale(Sample(raw, 2 * i, depth), depth);
                    row[o + 3] = Scale(Sample(raw, (2 * i) + 1, depth), depth);
                    break;

                default:
                    for (var c = 0; c < 4; c++)
                    {
                        row[o + c] = Scale(Sample(raw, (4 * i) + c, depth), depth);
                    }

                    break;
            }
        }
    }

    /// <summary>The index-th sample of a scanline, packed big-endian (most significant bits first, as PNG stores them).</summary>
    private static int Sample(ReadOnlySpan<byte> raw, int index, int depth)
    {
        switch (depth)
        {
            case 8:
                return raw[index];
            case 16:
                return (raw[2 * index] << 8) | raw[(2 * index) + 1];
            default:
                var bit = (long)index * depth;
                var shift = 8 - depth - (int)(bit & 7);
                return (raw[(int)(bit >> 3)] >> shift) & ((1 << depth) - 1);
        }
    }

    /// <summary>
    /// Maps a sample to 0–255 so that full scale stays full scale: 1, 2 and 4 bits multiply by 255, 85, 17;
    /// 16 bits round v · 255 / 65535 to nearest (which keeps v = 257·k exactly k, as an 8-to-16-bit expansion made it).
    /// </summary>
    private static byte Scale(int value, int depth) => depth switch
    {
        8 => (byte)value,
        16 => (byte)(((value * 255) + 32767) / 65535),
        4 => (byte)(value * 17),
        2 => (byte)(value * 85),
        _ => (byte)(value * 255),
    };
}
