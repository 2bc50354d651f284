namespace QualityHub.Inference.Imaging;

/// <summary>
/// The data of consecutive IDAT chunks as one read-only stream, for ZLibStream to inflate without the chunks being
/// gathered in memory first. Each chunk's CRC is checked as it ends; the stream ends at the first other chunk,
/// whose header is then the reader's current chunk.
/// </summary>
internal sealed class IdatReadStream(PngChunkReader chunks) : ForwardOnlyReadStream
{
    private bool ended;

    /// <summary>True once reading the chunks themselves failed (truncation, CRC), as opposed to the data in them being wrong.</summary>
    public bool Faulted { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            while (!ended && !buffer.IsEmpty)
            {
                if (chunks.Remaining > 0)
                {
                    return chunks.ReadData(buffer);
                }

                chunks.EndChunk();
                if (!chunks.TryNextChunk())
                {
                    throw new InvalidImageException("PNG is truncated: the file ends after an IDAT chunk, without IEND.");
                }

                ended = chunks.Type != "IDAT";
            }

            return 0;
        }
        catch (InvalidImageException)
        {
            Faulted = true;
            throw;
        }
    }

    /// <summary>Reads past whatever IDAT data the inflater left (bytes after the zlib stream), so the reader stands on the next chunk.</summary>
    public void SkipToNextChunk()
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (Read(scratch) > 0)
        {
        }
    }
}
