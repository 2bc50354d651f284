using System.Buffers.Binary;

namespace QualityHub.Inference.Imaging;

/// <summary>Write-only stream that cuts what ZLibStream produces into IDAT chunks of up to 64 KiB, so no whole compressed copy is held.</summary>
internal sealed class IdatWriteStream(Stream output) : Stream
{
    private const int ChunkData = 64 * 1024;

    // Length and type first, then the data, so a full chunk goes out in one write followed by its CRC.
    private readonly byte[] chunk = new byte[8 + ChunkData + 4];
    private int filled;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, ChunkData - filled);
            buffer[..take].CopyTo(chunk.AsSpan(8 + filled));
            filled += take;
            buffer = buffer[take..];
            if (filled == ChunkData)
            {
                WriteChunk();
            }
        }
    }

    /// <summary>Writes the data gathered since the last full chunk as a final, shorter IDAT chunk.</summary>
    public void Complete()
    {
        if (filled > 0)
        {
            WriteChunk();
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void WriteChunk()
    {
        BinaryPrimitives.WriteInt32BigEndian(chunk, filled);
        "IDAT"u8.CopyTo(chunk.AsSpan(4));
        var crc = PngCrc.Compute(chunk.AsSpan(4, 4 + filled));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + filled), crc);
        output.Write(chunk, 0, 8 + filled + 4);
        filled = 0;
    }
}
