using System.Buffers.Binary;
using System.IO.Compression;

namespace QualityHub.Inference.Imaging;

/// <summary>
/// The IDX container of MNIST and Fashion-MNIST: a big-endian magic 0x0000TTDD (TT the data type, DD the number of
/// dimensions), DD big-endian 32-bit sizes, then the data. Only unsigned-byte data is read; gzip is unwrapped when present.
/// </summary>
internal static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    // A gzip stream does not say how much it inflates to, so a header's declared size is trusted only this far
    // before data has actually arrived; Fashion-MNIST's largest file (47 MB) still fits in one allocation.
    private const int SpeculativeAllocation = 64 * 1024 * 1024;

    private const long MaxInflatedToExplain = 256L * 1024 * 1024;

    /// <summary>
    /// Reads a whole IDX file of unsigned bytes with <paramref name="dimensions"/> dimensions; returns the sizes and the data.
    /// A header declaring more data than <paramref name="limit"/> (or than one array holds) is refused before anything is allocated.
    /// </summary>
    /// <remarks>
    /// Messages never quote the bytes of a file that is not an IDX file of the expected kind (whoever names a file must not
    /// learn its content from the refusal); the sizes of a header are quoted only once its magic number matched.
    /// </remarks>
    public static (int[] Sizes, byte[] Data) Read(Stream stream, int dimensions, string expectedKind, ByteLimit? limit = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[4];
        var start = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        var gzip = start >= 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        if (start < 4 && !gzip)
        {
            throw new InvalidImageException($"The IDX file is truncated: it holds {start} bytes, fewer than its 4-byte magic number.");
        }

        var content = new PrefixedReadStream(magic[..start].ToArray(), stream);
        if (!gzip)
        {
            return ReadContent(content, dimensions, expectedKind, limit, stream.CanSeek ? stream.Length - stream.Position : null, compressed: false);
        }

        using var inflated = new GZipStream(content, CompressionMode.Decompress);
        try
        {
            return ReadContent(inflated, dimensions, expectedKind, limit, null, compressed: true);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
        catch (InvalidImageException e)
        {
            throw ExplainContentError(inflated, e);
        }
    }

    /// <summary>
    /// Gzip's CRC sits at the end, so a damaged file usually first shows as a nonsensical header or length. Inflating on
    /// (a bounded amount, so a bomb cannot keep us busy) reaches the CRC and tells damage apart from a badly written file.
    /// </summary>
    private static InvalidImageException ExplainContentError(Stream inflated, InvalidImageException contentError)
    {
        var scratch = new byte[64 * 1024];
        try
        {
            for (long drained = 0; drained < MaxInflatedToExplain;)
            {
                var read = inflated.Read(scratch);
                if (read == 0)
                {
                    break;
                }

                drained += read;
            }

            return contentError;
        }
        catch (InvalidDataException e)
        {
            return Corrupt(e);
        }
    }

    private static InvalidImageException Corrupt(InvalidDataException e) => new($"The gzip data of the IDX file is corrupt: {e.Message}", e);

    private static (int[] Sizes, byte[] Data) ReadContent(
        Stream content, int dimensions, string expectedKind, ByteLimit? limit, long? remainingAfterMagic, bool compressed)
    {
        Span<byte> head = stackalloc byte[4];
        if (content.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidImageException("The IDX file is truncated: its data ends within the 4-byte magic number.");
        }

        CheckMagic(head, dimensions, expectedKind);
        Span<byte> sizeBytes = stackalloc byte[4 * dimensions];
        var read = content.ReadAtLeast(sizeBytes, sizeBytes.Length, throwOnEndOfStream: false);
        if (read < sizeBytes.Length)
        {
            throw new InvalidImageException($"The IDX file is truncated: it ends within its header ({4 + read} of {4 + sizeBytes.Length} bytes).");
        }

        var sizes = new int[dimensions];

        // At most three sizes below 2^31 each, so the product fits in 128 bits.
        UInt128 product = 1;
        for (var d = 0; d < dimensions; d++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes[(4 * d)..]);
            if (size > int.MaxValue)
            {
                throw new InvalidImageException($"The IDX header declares size {size} for dimension {d}, more than this reader supports (2^31-1).");
            }

            sizes[d] = (int)size;
            product *= size;
        }

        var described = Describe(sizes, product);
        if (sizes.AsSpan(1).Contains(0))
        {
            throw new InvalidImageException($"The IDX header declares {described}; every size after the count must be at least 1.");
        }

        if (limit is { } most && product > (UInt128)most.Bytes)
        {
            throw new InvalidImageException($"The IDX header declares {described}, more than the {most} allowed.");
        }

        if (product > (UInt128)Array.MaxLength)
        {
            throw new InvalidImageException($"The IDX header declares {described}, more than one .NET array can hold.");
        }

        var length = (long)product;
        var data = remainingAfterMagic is { } remaining
            ? ReadKnownLength(content, length, remaining - sizeBytes.Length, described)
            : ReadUnknownLength(content, length, described, compressed);
        return (sizes, data);
    }

    /// <summary>
    /// The magic number 0x0000TTDD must name unsigned bytes (TT 0x08) and <paramref name="dimensions"/> (DD). The refusal
    /// says what kind of IDX file this is when it is one (another data type, labels for images), never the bytes read.
    /// </summary>
    private static void CheckMagic(ReadOnlySpan<byte> head, int dimensions, string expectedKind)
    {
        var wrongMagic = $"Not an IDX {expectedKind}: its magic number is wrong (an IDX {expectedKind} starts with 0x{0x800 | dimensions:X8}).";
        if (head[0] != 0 || head[1] != 0 || TypeName(head[2]) is null)
        {
            throw new InvalidImageException(wrongMagic);
        }

        if (head[2] != UnsignedByte)
        {
            throw new InvalidImageException($"The IDX file holds {TypeName(head[2])} values; only unsigned bytes (type 0x08) are supported.");
        }

        var kind = head[3] switch
        {
            1 => "label file",
            3 => "image file",
            _ => null,
        };
        if (head[3] != dimensions)
        {
            throw new InvalidImageException(kind is null ? wrongMagic : $"This is an IDX {kind}, not an IDX {expectedKind} (which starts with 0x{0x800 | dimensions:X8}).");
        }
    }

    private static byte[] ReadKnownLength(Stream content, long length, long available, string described)
    {
        // The file size is known: a lying header is caught here, before anything is allocated.
        if (available < length)
        {
            throw new InvalidImageException($"The IDX file is truncated: its header declares {described}, but only {available} bytes follow.");
        }

        if (available > length)
        {
            throw new InvalidImageException($"The IDX file has {available - length} bytes after the {described} its header declares.");
        }

        var data = new byte[length];
        var read = content.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
        {
            throw new InvalidImageException($"The IDX file is truncated: its header declares {described}, but only {read} bytes follow.");
        }

        return data;
    }

    private static byte[] ReadUnknownLength(Stream content, long length, string described, bool compressed)
    {
        var data = new byte[Math.Min(length, SpeculativeAllocation)];
        var filled = 0;
        while (filled < length)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
            }

            var read = content.Read(data, filled, data.Length - filled);
            if (read == 0)
            {
                var found = compressed ? $"the decompressed data ends after {filled} bytes" : $"only {filled} bytes follow";
                throw new InvalidImageException($"The IDX file is truncated: its header declares {described}, but {found}.");
            }

            filled += read;
        }

        Span<byte> probe = stackalloc byte[1];
        if (content.Read(probe) > 0)
        {
            throw new InvalidImageException($"The IDX file holds more data after the {described} its header declares.");
        }

        return data;
    }

    private static string Describe(int[] sizes, UInt128 length) => sizes.Length == 3
        ? $"{sizes[0]} images of {sizes[1]}x{sizes[2]} ({length} bytes)"
        : $"{string.Join(" x ", sizes)} values ({length} bytes)";

    /// <summary>The data types IDX defines; null for any other byte, which no IDX file has.</summary>
    private static string? TypeName(byte type) => type switch
    {
        UnsignedByte => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => null,
    };
}
