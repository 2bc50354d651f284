using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace QualityHub.Data.Content;

/// <summary>
/// Files stored by their SHA-256 under <c>&lt;data&gt;/store/ab/cdef…</c>: the same content twice is one file. A write
/// streams into a temporary file while hashing, then moves it into place; readers never see a half-written blob,
/// and a write that fails or is cancelled leaves nothing behind.
/// </summary>
public sealed class ContentStore(IOptions<StorageOptions> options)
{
    private const int BufferSize = 81920;

    public string Root => Path.Combine(options.Value.ResolveDataDirectory(), "store");

    /// <summary>Where a blob lives (whether or not it exists).</summary>
    public string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit) || sha256.Any(char.IsUpper))
        {
            throw new ArgumentException($"'{sha256}' is not a lower-case SHA-256 in hex.", nameof(sha256));
        }

        return Path.Combine(Root, sha256[..2], sha256[2..]);
    }

    public bool Contains(string sha256) => File.Exists(PathOf(sha256));

    public Stream OpenRead(string sha256) => new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);

    /// <summary>Stores bytes already in memory (small files: sample images).</summary>
    public async Task<StoredBlob> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var path = PathOf(sha256);
        if (!File.Exists(path))
        {
            var temp = TempPath();
            try
            {
                await File.WriteAllBytesAsync(temp, content.ToArray(), cancellationToken);
                MoveIntoPlace(temp, path);
            }
            finally
            {
                File.Delete(temp);
            }
        }

        return new StoredBlob(sha256, content.Length);
    }

    /// <summary>
    /// Streams <paramref name="source"/> into the store without holding it in memory; refuses more than
    /// <paramref name="maxBytes"/> with <see cref="ContentTooLargeException"/>. <paramref name="progress"/> gets bytes so far.
    /// </summary>
    public async Task<StoredBlob> PutAsync(Stream source, long maxBytes, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var temp = TempPath();
        try
        {
            long total = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        throw new ContentTooLargeException(maxBytes);
                    }

                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    progress?.Report(total);
                }

                await target.FlushAsync(cancellationToken);
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            MoveIntoPlace(temp, PathOf(sha256));
            return new StoredBlob(sha256, total);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string TempPath()
    {
        var folder = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{Guid.NewGuid():N}.part");
    }

    private static void MoveIntoPlace(string temp, string path)
    {
        if (File.Exists(path))
        {
            return; // the same content is already stored
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            File.Move(temp, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another writer stored the same content first.
        }
    }
}

/// <summary>A stored blob: its SHA-256 and size.</summary>
public sealed record StoredBlob(string Sha256, long SizeBytes);

/// <summary>An upload or file is bigger than allowed.</summary>
public sealed class ContentTooLargeException(long maxBytes)
    : Exception($"The file is larger than the {maxBytes / 1048576.0:0.#} MiB allowed (Registry:MaxUploadMb).")
{
    public long MaxBytes { get; } = maxBytes;
}
