using System.Buffers.Binary;
using System.IO.Compression;

namespace QualityHub.Inference.Imaging;

/// <summary>
/// Decodes PNG (every colour type and bit depth, Adam7 interlacing, tRNS) into an 8-bit <see cref="Image"/>, checking
/// every CRC and length and refusing oversized images before allocating them; errors are <see cref="InvalidImageException"/>s.
/// </summary>
/// <remarks>
/// Output channels: gray → 1; RGB and palette → 3; anything with alpha, or with a tRNS chunk, → 4 (gray replicated to RGB).
/// 16-bit samples are rounded to the nearest 8-bit value. Gamma, colour profiles and text chunks are read, CRC-checked and ignored.
/// Bytes after IEND are not read, as libpng does not read them either.
/// </remarks>
public static class PngDecoder
{
    /// <summary>64 megapixels (8192 × 8192): far above any model input, far below what would exhaust the server.</summary>
    public const long DefaultMaxPixels = 64L * 1024 * 1024;

    /// <summary>Images whose scanlines (filter bytes included) fit in this many bytes are inflated a pass at a time.</summary>
    private const long MaxInflateBlock = 256 * 1024;

    private static readonly string[] ColorTypeNames = ["grayscale", "", "RGB", "palette", "gray+alpha", "", "RGBA"];

    public static Image Decode(byte[] png, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(png);
        using var stream = new MemoryStream(png, writable: false);
        return Decode(stream, maxPixels);
    }

    /// <summary>Reads one PNG from the stream's current position, up to and including its IEND chunk.</summary>
    /// <param name="stream">Read forward only, so it need not be seekable; it is not disposed.</param>
    /// <param name="maxPixels">Images with more pixels (width × height) are refused from their header, before any allocation.</param>
    public static Image Decode(Stream stream, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        var chunks = new PngChunkReader(stream);
        chunks.ReadSignature();
        if (!chunks.TryNextChunk())
        {
            throw new InvalidImageException("PNG is truncated: the file ends after the signature, before the IHDR chunk.");
        }

        if (chunks.Type != "IHDR")
        {
            throw new InvalidImageException($"The first chunk must be IHDR, but it is '{chunks.Type}'.");
        }

        var header = ReadHeader(chunks, maxPixels);

        byte[]? palette = null;
        byte[]? transparency = null;
        Image? image = null;
        var current = false;
        while (true)
        {
            if (!current && !chunks.TryNextChunk())
            {
                throw new InvalidImageException($"PNG is truncated: the file ends at offset {chunks.Position} without an IEND chunk.");
            }

            current = false;
            switch (chunks.Type)
            {
                case "IHDR":
                    throw new InvalidImageException($"A second IHDR chunk at offset {chunks.ChunkOffset}; a PNG has exactly one.");

                case "PLTE":
                    if (palette is not null)
                    {
                        throw new InvalidImageException($"A second PLTE chunk at offset {chunks.ChunkOffset}; a PNG has at most one.");
                    }

                    RequireBeforeImageData(image, chunks);
                    palette = ReadPalette(chunks, header);
                    break;

                case "tRNS":
                    if (transparency is not null)
                    {
                        throw new InvalidImageException($"A second tRNS chunk at offset {chunks.ChunkOffset}; a PNG has at most one.");
                    }

                    RequireBeforeImageData(image, chunks);
                    transparency = ReadTransparency(chunks, header, palette);
                    break;

                case "IDAT":
                    if (image is not null)
                    {
                        throw new InvalidImageException($"IDAT chunk at offset {chunks.ChunkOffset} is separated from the earlier IDAT chunks by other chunks; they must be consecutive.");
                    }

                    if (header.ColorType == PngColorType.Palette && palette is null)
                    {
                        throw new InvalidImageException("The image uses a palette (colour type 3) but no PLTE chunk comes before its IDAT data.");
                    }

                    image = ReadImageData(chunks, header, new PngPixelUnpacker(header, palette, transparency));

                    // Reading the image data has already read the header of the chunk after the last IDAT.
                    current = true;
                    continue;

                case "IEND":
                    if (image is null)
                    {
                        throw new InvalidImageException("The PNG has no IDAT chunk before IEND: it holds no image data.");
                    }

                    if (chunks.Remaining != 0)
                    {
                        throw new InvalidImageException($"The IEND chunk must be empty, but it declares {chunks.Remaining} bytes.");
                    }

                    chunks.EndChunk();
                    return image;

                default:
                    if (chunks.IsCritical)
                    {
                        throw new InvalidImageException($"Unknown critical chunk '{chunks.Type}' at offset {chunks.ChunkOffset}: the image cannot be decoded without understanding it.");
                    }

                    chunks.SkipData();
                    break;
            }

            chunks.EndChunk();
        }
    }

    private static PngHeader ReadHeader(PngChunkReader chunks, long maxPixels)
    {
        if (chunks.Remaining != 13)
        {
            throw new InvalidImageException($"The IHDR chunk must hold 13 bytes, but it declares {chunks.Remaining}.");
        }

        Span<byte> data = stackalloc byte[13];
        chunks.ReadAllData(data);

        // Damage first: a flipped bit in the width should read as corruption, not as an oversized image.
        chunks.EndChunk();
        var width = BinaryPrimitives.ReadUInt32BigEndian(data);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int depth = data[8], colorType = data[9];
        if (width == 0 || height == 0)
        {
            throw new InvalidImageException($"IHDR declares a {width}x{height} image; width and height must be at least 1.");
        }

        if (width > int.MaxValue || height > int.MaxValue)
        {
            throw new InvalidImageException($"IHDR declares a {width}x{height} image; PNG allows at most 2^31-1 pixels on a side.");
        }

        int[] depths = colorType switch
        {
            0 => [1, 2, 4, 8, 16],
            3 => [1, 2, 4, 8],
            2 or 4 or 6 => [8, 16],
            _ => throw new InvalidImageException($"IHDR colour type {colorType} is not defined by PNG (0, 2, 3, 4 and 6 are)."),
        };
        if (!depths.Contains(depth))
        {
            throw new InvalidImageException($"IHDR bit depth {depth} is not allowed for colour type {colorType} ({ColorTypeNames[colorType]}); allowed: {string.Join(", ", depths)}.");
        }

        if (data[10] != 0)
        {
            throw new InvalidImageException($"IHDR compression method {data[10]} is unknown; PNG defines only 0 (deflate).");
        }

        if (data[11] != 0)
        {
            throw new InvalidImageException($"IHDR filter method {data[11]} is unknown; PNG defines only 0 (adaptive filtering).");
        }

        if (data[12] > 1)
        {
            throw new InvalidImageException($"IHDR interlace method {data[12]} is unknown; PNG defines 0 (none) and 1 (Adam7).");
        }

        var header = new PngHeader((int)width, (int)height, depth, (PngColorType)colorType, data[12] == 1);
        var pixels = (long)width * height;
        if (pixels > maxPixels)
        {
            throw new InvalidImageException($"The image is {width}x{height} = {pixels} pixels, more than the limit of {maxPixels} pixels; it is refused before decoding.");
        }

        // Four output channels at most; the scanline buffers are one row of the widest pass.
        if (pixels * 4 > Array.MaxLength || header.RowBytes(width) + 1 > Array.MaxLength)
        {
            throw new InvalidImageException($"The image is {width}x{height}, too large for one .NET array once decoded.");
        }

        return header;
    }

    private static void RequireBeforeImageData(Image? image, PngChunkReader chunks)
    {
        if (image is not null)
        {
            throw new InvalidImageException($"The {chunks.Type} chunk at offset {chunks.ChunkOffset} comes after the IDAT data; it must come before.");
        }
    }

    private static byte[] ReadPalette(PngChunkReader chunks, PngHeader header)
    {
        if (header.ColorType is PngColorType.Gray or PngColorType.GrayAlpha)
        {
            throw new InvalidImageException($"A PLTE chunk is not allowed in a {ColorTypeNames[(int)header.ColorType]} image.");
        }

        var length = chunks.Remaining;
        if (length == 0 || length % 3 != 0 || length > 3 * 256)
        {
            throw new InvalidImageException($"The PLTE chunk holds {length} bytes; it must hold 1 to 256 RGB entries of 3 bytes.");
        }

        if (header.ColorType == PngColorType.Palette && length / 3 > 1 << header.BitDepth)
        {
            throw new InvalidImageException($"The PLTE chunk has {length / 3} entries, more than {header.BitDepth}-bit indices can address ({1 << header.BitDepth}).");
        }

        var palette = new byte[length];
        chunks.ReadAllData(palette);
        return palette;
    }

    private static byte[] ReadTransparency(PngChunkReader chunks, PngHeader header, byte[]? palette)
    {
        var length = chunks.Remaining;
        var expected = header.ColorType switch
        {
            PngColorType.Gray => 2,
            PngColorType.Rgb => 6,
            PngColorType.Palette => palette is null
                ? throw new InvalidImageException("The tRNS chunk of a palette image must come after its PLTE chunk.")
                : length,
            _ => throw new InvalidImageException($"A tRNS chunk is not allowed in a {ColorTypeNames[(int)header.ColorType]} image, which has an alpha channel already."),
        };
        if (header.ColorType == PngColorType.Palette && (length == 0 || length > palette!.Length / 3))
        {
            throw new InvalidImageException($"The tRNS chunk holds {length} alpha values; it must hold 1 to {palette!.Length / 3}, one per PLTE entry at most.");
        }

        if (length != expected)
        {
            throw new InvalidImageException($"The tRNS chunk of a {ColorTypeNames[(int)header.ColorType]} image must hold {expected} bytes, but it holds {length}.");
        }

        var transparency = new byte[length];
        chunks.ReadAllData(transparency);
        return transparency;
    }

    private static Image ReadImageData(PngChunkReader chunks, PngHeader header, PngPixelUnpacker unpacker)
    {
        var image = new Image(header.Width, header.Height, unpacker.OutputChannels);
        var expected = header.ImageDataLength();
        var idat = new IdatReadStream(chunks);
        try
        {
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress, leaveOpen: true);

            // Two scanlines of the widest pass, each with its filter byte, besides the image; a small image's scanlines are
            // inflated in one call rather than one call per row (a 28x28 image: 1 call instead of 28).
            var length = (int)header.RowBytes(header.Width) + 1;
            var line = new byte[length];
            var prior = new byte[length];
            var block = expected <= MaxInflateBlock ? new byte[expected] : null;
            long done = 0;
            var passes = header.Passes;
            for (var p = 0; p < passes.Count; p++)
            {
                var pass = passes[p];
                var (width, height) = header.PassSize(pass);
                if (width == 0 || height == 0)
                {
                    continue;
                }

                var rowBytes = (int)header.RowBytes(width);
                var passBytes = (long)height * (rowBytes + 1);
                var inflated = 0;
                if (block is not null)
                {
                    inflated = zlib.ReadAtLeast(block.AsSpan(0, (int)passBytes), (int)passBytes, throwOnEndOfStream: false);
                }

                Array.Clear(prior);
                for (var r = 0; r < height; r++)
                {
                    int read;
                    if (block is not null)
                    {
                        read = Math.Clamp(inflated - (r * (rowBytes + 1)), 0, rowBytes + 1);
                        block.AsSpan(r * (rowBytes + 1), read).CopyTo(line);
                    }
                    else
                    {
                        read = zlib.ReadAtLeast(line.AsSpan(0, rowBytes + 1), rowBytes + 1, throwOnEndOfStream: false);
                    }

                    done += read;
                    if (read < rowBytes + 1)
                    {
                        var where = header.Interlaced ? $"row {r} of Adam7 pass {p + 1}" : $"row {r} of {height}";
                        throw new InvalidImageException($"The IDAT data is too short: it ends in {where}, after {done} of the {expected} bytes a {header.Width}x{header.Height} image's scanlines need.");
                    }

                    if (!PngFilters.TryUnfilter(line[0], line.AsSpan(1, rowBytes), prior.AsSpan(1, rowBytes), header.FilterStride))
                    {
                        throw new InvalidImageException($"Scanline {r}{(header.Interlaced ? $" of Adam7 pass {p + 1}" : "")} has filter type {line[0]}; PNG defines 0 (None) to 4 (Paeth).");
                    }

                    unpacker.Unpack(line.AsSpan(1, rowBytes), width, image.GetRow(pass.Y + (r * pass.Dy)), pass.X, pass.Dx);
                    (line, prior) = (prior, line);
                }
            }

            // Reading on to the end of the zlib stream both finds surplus data and makes the inflater check the Adler-32.
            if (zlib.Read(line.AsSpan(0, 1)) > 0)
            {
                throw new InvalidImageException($"The IDAT data is too long: it holds more than the {expected} bytes a {header.Width}x{header.Height} image's scanlines need.");
            }
        }
        catch (InvalidDataException e)
        {
            throw ExplainDataError(idat, new InvalidImageException($"The IDAT data is not a valid zlib stream: {e.Message}", e));
        }
        catch (InvalidImageException e) when (!idat.Faulted)
        {
            throw ExplainDataError(idat, e);
        }

        idat.SkipToNextChunk();
        return image;
    }

    /// <summary>
    /// Data is inflated before its chunk's CRC has been read, so damage shows first as bad zlib data or a bad scanline.
    /// Reading on to the CRCs tells whether the file was damaged (then that is the error to report) or written wrong.
    /// </summary>
    private static InvalidImageException ExplainDataError(IdatReadStream idat, InvalidImageException dataError)
    {
        try
        {
            idat.SkipToNextChunk();
            return dataError;
        }
        catch (InvalidImageException chunkError)
        {
            return new InvalidImageException(chunkError.Message, dataError);
        }
    }
}
