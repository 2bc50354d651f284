using System.Text;

namespace QualityHub.TestSupport;

/// <summary>A multipart body whose one field never ends (until <paramref name="length"/> bytes), counting what was read of it.</summary>
public sealed class EndlessMultipartField(string boundary, string name, long length) : Stream
{
    private readonly byte[] head = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");

    public long Produced { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (Produced >= length)
        {
            return 0;
        }

        var n = (int)Math.Min(count, length - Produced);
        for (var i = 0; i < n; i++)
        {
            var at = Produced + i;
            buffer[offset + i] = at < head.Length ? head[at] : (byte)'a';
        }

        Produced += n;
        return n;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => Produced; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
