namespace QualityHub.Inference.Imaging;

/// <summary>Bytes already read from a stream (to sniff its format) followed by the rest of it, so non-seekable streams can be sniffed too.</summary>
internal sealed class PrefixedReadStream(byte[] prefix, Stream rest) : Stream
{
    private int used;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (used < prefix.Length && !buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, prefix.Length - used);
            prefix.AsSpan(used, take).CopyTo(buffer);
            used += take;
            return take;
        }

        return rest.Read(buffer);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
