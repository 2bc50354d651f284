using System.Buffers.Binary;
using System.Text;

namespace QualityHub.Inference.Imaging;

/// <summary>Reads a PNG stream chunk by chunk, keeping the running CRC and the offset so every error can say where it happened.</summary>
internal sealed class PngChunkReader(Stream stream)
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly byte[] small = new byte[8];
    private uint crc;

    /// <summary>Bytes consumed from the stream so far.</summary>
    public long Position { get; private set; }

    /// <summary>Four-letter type of the current chunk.</summary>
    public string Type { get; private set; } = "";

    /// <summary>Offset of the current chunk's length field.</summary>
    public long ChunkOffset { get; private set; }

    /// <summary>Data bytes of the current chunk not read yet.</summary>
    public int Remaining { get; private set; }

    /// <summary>True when the current chunk's type starts with a capital letter, i.e. a decoder may not skip it.</summary>
    public bool IsCritical => (Type[0] & 0x20) == 0;

    public void ReadSignature()
    {
        var read = stream.ReadAtLeast(small, 8, throwOnEndOfStream: false);
        Position += read;
        if (read == 0)
        {
            throw new InvalidImageException("Not a PNG file: it is empty.");
        }

        var magic = Math.Min(read, 4);
        if (!small.AsSpan(0, magic).SequenceEqual(Signature[..magic]))
        {
            throw new InvalidImageException($"Not a PNG file: it starts with {Convert.ToHexString(small, 0, magic)}, not the PNG signature 89504E47.");
        }

        if (read < 8)
        {
            throw new InvalidImageException($"PNG is truncated: the file ends within the 8-byte signature (after {read} bytes).");
        }

        if (!small.AsSpan().SequenceEqual(Signature))
        {
            // The usual cause is a transfer that rewrote line endings, which is what the CR LF ... LF bytes are there to catch.
            throw new InvalidImageException($"Bad PNG signature {Convert.ToHexString(small)} (expected 89504E470D0A1A0A): the file was probably altered by a text-mode transfer.");
        }
    }

    /// <summary>Reads the next chunk's length and type; false at a clean end of the stream.</summary>
    public bool TryNextChunk()
    {
        ChunkOffset = Position;
        var read = stream.ReadAtLeast(small, 8, throwOnEndOfStream: false);
        Position += read;
        if (read == 0)
        {
            return false;
        }

        if (read < 8)
        {
            throw new InvalidImageException($"PNG is truncated: the file ends within a chunk header at offset {ChunkOffset}.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(small);
        var type = small.AsSpan(4, 4);
        foreach (var b in type)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                throw new InvalidImageException($"Chunk at offset {ChunkOffset} has type bytes {Convert.ToHexString(type)}, which are not four ASCII letters: the PNG is corrupt.");
            }
        }

        Type = Encoding.ASCII.GetString(type);
        if (length > int.MaxValue)
        {
            throw new InvalidImageException($"Chunk '{Type}' at offset {ChunkOffset} declares {length} bytes of data; PNG allows at most 2^31-1.");
        }

        Remaining = (int)length;
        crc = PngCrc.Update(PngCrc.Initial, type);
        return true;
    }

    /// <summary>Reads up to buffer.Length bytes of the current chunk's data (0 when none is left).</summary>
    public int ReadData(Span<byte> buffer)
    {
        if (buffer.Length > Remaining)
        {
            buffer = buffer[..Remaining];
        }

        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = stream.Read(buffer);
        if (read == 0)
        {
            throw new InvalidImageException($"PNG is truncated: the file ends inside chunk '{Type}' (offset {ChunkOffset}), {Remaining} data bytes short.");
        }

        crc = PngCrc.Update(crc, buffer[..read]);
        Position += read;
        Remaining -= read;
        return read;
    }

    public void ReadAllData(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[ReadData(buffer)..];
        }
    }

    /// <summary>Reads the rest of the current chunk's data without keeping it (the CRC still covers it).</summary>
    public void SkipData()
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (Remaining > 0)
        {
            ReadData(scratch);
        }
    }

    /// <summary>Reads the CRC that closes the current chunk, whose data must all have been read, and checks it.</summary>
    public void EndChunk()
    {
        var read = stream.ReadAtLeast(small.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        Position += read;
        if (read < 4)
        {
            throw new InvalidImageException($"PNG is truncated: the file ends within the CRC of chunk '{Type}' (offset {ChunkOffset}).");
        }

        var stored = BinaryPrimitives.ReadUInt32BigEndian(small);
        var computed = PngCrc.Finish(crc);
        if (stored != computed)
        {
            throw new InvalidImageException($"CRC mismatch in chunk '{Type}' at offset {ChunkOffset}: stored 0x{stored:X8}, computed 0x{computed:X8}; the PNG is corrupt.");
        }
    }
}
