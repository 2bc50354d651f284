using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;

namespace QualityHub.Inference.Tests.Imaging;

/// <summary>Builds PNG files byte by byte for tests, with a CRC written here (bitwise) rather than the decoder's table-driven one.</summary>
internal static class PngBytes
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The committed fixture files, beside this source file (found from the compiler's path so the project file needs no copy rule).</summary>
    public static string FixtureDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");

    public static byte[] Png(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    public static byte[] Chunk(string type, byte[] data)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        typeBytes.CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc([.. typeBytes, .. data]));
        return chunk;
    }

    public static byte[] Ihdr(uint width, uint height, byte depth = 8, byte colorType = 0, byte interlace = 0, byte compression = 0, byte filter = 0)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = depth;
        data[9] = colorType;
        data[10] = compression;
        data[11] = filter;
        data[12] = interlace;
        return Chunk("IHDR", data);
    }

    public static byte[] Idat(byte[] scanlines) => Chunk("IDAT", Zlib(scanlines));

    public static byte[] Iend() => Chunk("IEND", []);

    /// <summary>A valid 8-bit gray PNG of width × height whose rows are filter byte 0 plus the given bytes.</summary>
    public static byte[] Gray8(int width, int height, Func<int, int, byte> pixel)
    {
        var scanlines = new List<byte>();
        for (var y = 0; y < height; y++)
        {
            scanlines.Add(0);
            for (var x = 0; x < width; x++)
            {
                scanlines.Add(pixel(x, y));
            }
        }

        return Png(Ihdr((uint)width, (uint)height), Idat([.. scanlines]), Iend());
    }

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Inflate(byte[] data)
    {
        using var zlib = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        zlib.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The chunks of a PNG as (type, data), checking each CRC with this file's own CRC.</summary>
    public static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        Assert.Equal(Signature, png[..8]);
        var chunks = new List<(string, byte[])>();
        var offset = 8;
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length).ToArray();
            var stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Assert.Equal(Crc(png.AsSpan(offset + 4, 4 + length)), stored);
            chunks.Add((type, data));
            offset += 12 + length;
        }

        return chunks;
    }

    public static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
            }
        }

        return ~crc;
    }
}
