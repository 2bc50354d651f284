using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

/// <summary>A read-only stream that cannot seek or report its length, like a network upload, and hands out at most a few bytes per read.</summary>
internal sealed class NonSeekableStream(byte[] data, int maxRead = 7) : ForwardOnlyReadStream
{
    private int position;

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - position);
        data.AsSpan(position, n).CopyTo(buffer);
        position += n;
        return n;
    }
}
