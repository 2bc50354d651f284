namespace QualityHub.Web.Features.Datasets;

/// <summary>A request body read as it arrives: counts the bytes, tells each count on, and refuses more than the limit.</summary>
internal sealed class UploadBodyStream(Stream body, long maxBytes, Action<long> received) : Stream
{
    private long total;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => total;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await body.ReadAsync(buffer, cancellationToken);
        total += read;
        if (total > maxBytes)
        {
            throw new UploadTooLargeException(maxBytes);
        }

        received(total);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Kestrel forbids synchronous reads of a request body; so does this stream.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the upload asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>An upload went past <c>Registry:MaxDatasetUploadMb</c>.</summary>
internal sealed class UploadTooLargeException(long maxBytes)
    : Exception($"The upload is larger than the {maxBytes / 1048576.0:0.#} MiB allowed (Registry:MaxDatasetUploadMb); nothing was registered.");
