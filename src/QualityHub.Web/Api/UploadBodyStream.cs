namespace QualityHub.Web.Api;

/// <summary>
/// A request body read as it arrives: counts the bytes and tells each count on, refuses more than a limit, and turns a
/// failed read (the sender went away) into <see cref="UploadInterruptedException"/>, told apart from the server's own I/O errors.
/// </summary>
internal sealed class UploadBodyStream(Stream body, long maxBytes = long.MaxValue, Action<long>? received = null) : Stream
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
        int read;
        try
        {
            read = await body.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException e)
        {
            throw new UploadInterruptedException(e);
        }

        total += read;
        if (total > maxBytes)
        {
            throw new UploadTooLargeException(maxBytes);
        }

        received?.Invoke(total);
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

/// <summary>An upload went past its limit of <see cref="MaxBytes"/>.</summary>
internal sealed class UploadTooLargeException(long maxBytes) : Exception($"The upload is larger than {maxBytes} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>
/// The request body broke off before its end. The connection is gone with it (Kestrel reads a short body only when the
/// client closed), so there is nobody to answer; <see cref="Abort"/> ends the request without one.
/// </summary>
internal sealed class UploadInterruptedException(IOException inner) : IOException($"The upload broke off: {inner.Message}", inner)
{
    /// <summary>
    /// Drops the connection instead of answering: an answer would make Kestrel drain a body reader left mid-read,
    /// which it logs as an error.
    /// </summary>
    public static IResult Abort(HttpContext context)
    {
        context.Abort();
        return Results.Empty;
    }
}
