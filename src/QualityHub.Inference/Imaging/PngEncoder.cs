using System.Buffers.Binary;
using System.IO.Compression;

namespace QualityHub.Inference.Imaging;

/// <summary>Encodes an <see cref="Image"/> as an 8-bit PNG: gray as colour type 0, RGB as 2, RGBA as 6, not interlaced.</summary>
public static class PngEncoder
{
    public static byte[] Encode(Image image, PngFilterMode filter = PngFilterMode.Adaptive, CompressionLevel compression = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        Encode(image, output, filter, compression);
        return output.ToArray();
    }

    /// <summary>Writes the PNG at the stream's position, row by row; the stream is not disposed.</summary>
    public static void Encode(Image image, Stream output, PngFilterMode filter = PngFilterMode.Adaptive, CompressionLevel compression = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        if (filter is < PngFilterMode.None or > PngFilterMode.Adaptive)
        {
            throw new ArgumentOutOfRangeException(nameof(filter), filter, "Not a PNG filter mode.");
        }

        output.Write(PngChunkReader.Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], image.Height);
        header[8] = 8;
        header[9] = (byte)(image.Channels switch
        {
            1 => PngColorType.Gray,
            3 => PngColorType.Rgb,
            _ => PngColorType.Rgba,
        });

        // Compression, filter method and interlace stay 0: deflate, adaptive filtering, no interlacing.
        WriteChunk(output, "IHDR"u8, header);

        var idat = new IdatWriteStream(output);
        using (var zlib = new ZLibStream(idat, compression, leaveOpen: true))
        {
            WriteScanlines(image, zlib, filter);
        }

        idat.Complete();
        WriteChunk(output, "IEND"u8, []);
    }

    private static void WriteScanlines(Image image, Stream zlib, PngFilterMode mode)
    {
        var stride = image.Stride;
        var prior = new byte[stride];

        // Adaptive mode filters each row all five ways and keeps the cheapest, so it needs a line per candidate.
        int[] filters = mode == PngFilterMode.Adaptive ? [0, 1, 2, 3, 4] : [(int)mode];
        var lines = new byte[filters.Length][];
        for (var i = 0; i < filters.Length; i++)
        {
            lines[i] = new byte[1 + stride];
            lines[i][0] = (byte)filters[i];
        }

        for (var y = 0; y < image.Height; y++)
        {
            var row = image.GetRow(y);
            var best = 0;
            var bestCost = long.MaxValue;
            for (var i = 0; i < filters.Length; i++)
            {
                PngFilters.Apply(filters[i], row, prior, image.Channels, lines[i].AsSpan(1));
                if (filters.Length > 1)
                {
                    var cost = Cost(lines[i].AsSpan(1));
                    if (cost < bestCost)
                    {
                        (best, bestCost) = (i, cost);
                    }
                }
            }

            zlib.Write(lines[best]);
            row.CopyTo(prior);
        }
    }

    /// <summary>Sum of the bytes read as signed values' magnitudes: small residuals, either side of zero, compress well.</summary>
    private static long Cost(ReadOnlySpan<byte> filtered)
    {
        long sum = 0;
        foreach (var b in filtered)
        {
            sum += Math.Abs((int)(sbyte)b);
        }

        return sum;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        output.Write(field);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(field, PngCrc.Finish(PngCrc.Update(PngCrc.Update(PngCrc.Initial, type), data)));
        output.Write(field);
    }
}
