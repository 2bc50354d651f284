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

    public string Root => options.Value.ResolveStoreDirectory();

    /// <summary>Where writes and staged uploads live while under way; empty when none is.</summary>
    public string TempFolder => Path.Combine(Root, "tmp");

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
        using var staged = await StageBlobAsync(source, "blob", maxBytes, progress, cancellationToken);
        return Keep(staged);
    }

    /// <summary>
    /// Streams <paramref name="source"/> into a folder of its own under <see cref="TempFolder"/> while hashing it, for
    /// content checked before it is kept: a model ONNX Runtime opens there finds no other file beside it.
    /// <see cref="Keep"/> moves it into the store; disposing deletes whatever is left, and a copy that fails leaves nothing.
    /// </summary>
    public async Task<StagedBlob> StageBlobAsync(
        Stream source, string fileName, long maxBytes, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var staged = NewStagedFile(fileName);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var total = await CopyToFileAsync(source, staged.Path, maxBytes, hash, progress, cancellationToken);
            return new StagedBlob(staged, Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>Moves a staged blob into the store (where the same content may be already) and says what is stored.</summary>
    public StoredBlob Keep(StagedBlob staged)
    {
        MoveIntoPlace(staged.Path, PathOf(staged.Sha256));
        return new StoredBlob(staged.Sha256, staged.SizeBytes);
    }

    /// <summary>
    /// Streams an upload into a file of its own under <see cref="TempFolder"/>, named as the sender named it, for readers
    /// that need a file (a zip, an IDX pair). Disposing the result deletes it; a copy that fails leaves nothing behind.
    /// </summary>
    public async Task<StagedFile> StageAsync(Stream source, string fileName, CancellationToken cancellationToken = default)
    {
        var staged = NewStagedFile(fileName);
        try
        {
            await CopyToFileAsync(source, staged.Path, long.MaxValue, null, null, cancellationToken);
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    private StagedFile NewStagedFile(string fileName)
    {
        var folder = Directory.CreateDirectory(Path.Combine(TempFolder, Guid.NewGuid().ToString("N"))).FullName;
        return new StagedFile(Path.Combine(folder, SafeFileName(fileName)));
    }

    private static async Task<long> CopyToFileAsync(
        Stream source, string path, long maxBytes, IncrementalHash? hash, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long total = 0;
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new ContentTooLargeException(maxBytes);
            }

            hash?.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            progress?.Report(total);
        }

        await target.FlushAsync(cancellationToken);
        return total;
    }

    private static string SafeFileName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        return name.Length == 0 || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? "upload" : name;
    }

    private string TempPath()
    {
        Directory.CreateDirectory(TempFolder);
        return Path.Combine(TempFolder, $"{Guid.NewGuid():N}.part");
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

/// <summary>An upload staged in the store's temp folder; disposing deletes it and its folder.</summary>
public sealed class StagedFile(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>Content staged and hashed, not yet in the store; disposing deletes it unless <see cref="ContentStore.Keep"/> moved it.</summary>
public sealed class StagedBlob(StagedFile file, string sha256, long sizeBytes) : IDisposable
{
    /// <summary>The staged file, alone in its folder.</summary>
    public string Path => file.Path;

    public string Sha256 { get; } = sha256;

    public long SizeBytes { get; } = sizeBytes;

    public void Dispose() => file.Dispose();
}

/// <summary>An upload or file is bigger than allowed.</summary>
public sealed class ContentTooLargeException(long maxBytes)
    : Exception($"The file is larger than the {maxBytes / 1048576.0:0.#} MiB allowed (Registry:MaxUploadMb).")
{
    public long MaxBytes { get; } = maxBytes;
}
