namespace QualityHub.Inference.Imaging;

/// <summary>The labels of an IDX file (MNIST layout: magic 0x00000801, unsigned bytes [count]), plain or gzipped.</summary>
public sealed class IdxLabels
{
    private readonly byte[] values;

    private IdxLabels(byte[] values) => this.values = values;

    public int Count => values.Length;

    public byte this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return values[index];
        }
    }

    /// <summary>Every label, in file order.</summary>
    public ReadOnlySpan<byte> Values => values;

    /// <summary>Reads the file at <paramref name="path"/>; gzip is recognised by its content, not its name.</summary>
    public static IdxLabels Load(string path)
    {
        using var file = File.OpenRead(path);
        try
        {
            return Read(file);
        }
        catch (InvalidImageException e)
        {
            throw new InvalidImageException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads an IDX label file from the stream's position to its end; the stream need not be seekable and is not disposed.
    /// More labels than <paramref name="limit"/> bytes are refused from the header, before they are allocated.
    /// </summary>
    public static IdxLabels Read(Stream stream, ByteLimit? limit = null) => new(IdxFile.Read(stream, 1, "label file", limit).Data);
}
