namespace QualityHub.Inference.Imaging;

/// <summary>The images of an IDX file (MNIST layout: magic 0x00000803, unsigned bytes [count, rows, columns]), plain or gzipped, held once in one buffer.</summary>
public sealed class IdxImages
{
    private readonly byte[] pixels;

    private IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        Count = count;
        Rows = rows;
        Columns = columns;
        this.pixels = pixels;
    }

    public int Count { get; }

    /// <summary>Height of every image.</summary>
    public int Rows { get; }

    /// <summary>Width of every image.</summary>
    public int Columns { get; }

    /// <summary>Reads the file at <paramref name="path"/>; gzip (e.g. t10k-images-idx3-ubyte.gz) is recognised by its content, not its name.</summary>
    public static IdxImages Load(string path)
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
    /// Reads an IDX image file from the stream's position to its end; the stream need not be seekable and is not disposed.
    /// Pixel data beyond <paramref name="limit"/> is refused from the header, before it is allocated.
    /// </summary>
    public static IdxImages Read(Stream stream, ByteLimit? limit = null)
    {
        var (sizes, data) = IdxFile.Read(stream, 3, "image file", limit);
        return new IdxImages(sizes[0], sizes[1], sizes[2], data);
    }

    /// <summary>The <paramref name="index"/>-th image's Rows × Columns bytes, row by row, without copying.</summary>
    public ReadOnlySpan<byte> GetPixels(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var size = Rows * Columns;
        return pixels.AsSpan(index * size, size);
    }

    /// <summary>A gray <see cref="Image"/> holding a copy of one image's pixels (the file's 0 is black; Fashion-MNIST draws light objects on black).</summary>
    public Image GetImage(int index) => new(Columns, Rows, 1, GetPixels(index).ToArray());
}
