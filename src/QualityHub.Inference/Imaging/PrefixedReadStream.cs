namespace QualityHub.Inference.Imaging;

/// <summary>Bytes already read from a stream (to sniff its format) followed by the rest of it, so non-seekable streams can be sniffed too.</summary>
internal sealed class PrefixedReadStream(byte[] prefix, Stream rest) : ForwardOnlyReadStream
{
    private int used;

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
}
