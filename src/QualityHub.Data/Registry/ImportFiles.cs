using System.Text;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Registry;

/// <summary>
/// A file an import reads: where it is, and how messages name it. The CLI names a file by the path it was given; a
/// request's file is named by its field and its path inside its import root, never by the server's absolute path.
/// </summary>
public sealed record ImportFile(string Path, string Name)
{
    /// <summary>A local file named by its path as given (the CLI, the demo content, tests).</summary>
    public static implicit operator ImportFile(string path) => new(path, path);
}

/// <summary>A file of an import cannot be opened; the message names it by <see cref="ImportFile.Name"/> and says why, without a server path.</summary>
public sealed class ImportFileException(string message, Exception innerException) : IOException(message, innerException);

/// <summary>How large the files an import reads may be (<see cref="RegistryOptions"/>), each with the setting that says so.</summary>
internal sealed record ImportLimits(ByteLimit LabelsFile, ByteLimit ImageFile, ByteLimit IdxData)
{
    public static ImportLimits From(RegistryOptions? options)
    {
        options ??= new RegistryOptions();
        return new ImportLimits(
            ByteLimit.Megabytes(options.MaxLabelsFileMb, "Registry:MaxLabelsFileMb"),
            ByteLimit.Megabytes(options.MaxImageFileMb, "Registry:MaxImageFileMb"),
            ByteLimit.Megabytes(options.MaxIdxFileMb, "Registry:MaxIdxFileMb"));
    }
}

/// <summary>
/// Opening and reading an import's files: a refusal names the file safely, and nothing is read or allocated past a
/// limit. A file's length is checked before its first byte is read, and reading stops at the limit all the same, so
/// neither a file that grows meanwhile nor one without a length (a pipe) runs past it.
/// </summary>
internal static class ImportFiles
{
    private const int ChunkSize = 81920;

    public static FileStream OpenRead(ImportFile file)
    {
        try
        {
            return File.OpenRead(file.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The exception's own message holds the absolute path; say why in words instead.
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "it does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => "it cannot be opened",
            };
            throw new ImportFileException($"{file.Name} cannot be read: {reason}.", e);
        }
    }

    /// <summary>The whole file, or an <see cref="InvalidDataException"/> naming the limit when it holds more.</summary>
    public static byte[] ReadAllBytes(ImportFile file, ByteLimit limit)
    {
        using var stream = OpenRead(file);
        return ReadToEnd(stream, file.Name, limit);
    }

    /// <summary>The whole file as text (UTF-8 unless a byte order mark says otherwise, as File.ReadAllText reads it), within the limit.</summary>
    public static string ReadAllText(ImportFile file, ByteLimit limit)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(file, limit)), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>The rest of <paramref name="stream"/>, or an <see cref="InvalidDataException"/> naming the limit when it holds more.</summary>
    public static byte[] ReadToEnd(Stream stream, string name, ByteLimit limit)
    {
        if (stream.CanSeek)
        {
            var length = stream.Length - stream.Position;
            if (length > limit.Bytes)
            {
                throw TooLarge(name, limit, length);
            }

            // Allocated for the length checked above; a byte more means the file grew since.
            var data = new byte[length];
            var read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            Span<byte> probe = stackalloc byte[1];
            if (read == data.Length && stream.Read(probe) == 0)
            {
                return data;
            }

            throw new InvalidDataException($"{name} changed while it was read.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkSize];
        int count;
        while ((count = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + count > limit.Bytes)
            {
                throw TooLarge(name, limit, null);
            }

            buffer.Write(chunk, 0, count);
        }

        return buffer.ToArray();
    }

    public static InvalidDataException TooLarge(string name, ByteLimit limit, long? length) => new(length is { } bytes
        ? $"{name} is {bytes / 1048576.0:#,0.#} MiB, more than the {limit} allowed."
        : $"{name} holds more than the {limit} allowed.");
}
