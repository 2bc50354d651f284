using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace QualityHub.Data.Content;

/// <summary>
/// Files stored by their SHA-256 under <c>&lt;data&gt;/store/ab/cdef…</c>: the same content twice is one file. A write
/// streams into a temporary file while hashing, then moves it into place; readers never see a half-written blob,
/// and a write that fails or is cancelled leaves nothing behind.
/// <para>
/// Blobs no record references are deleted by <see cref="ContentSweeper"/>, which keeps anything written recently. So
/// that a writer's blob survives until its record is committed, every store of a blob — a new one, or content that is
/// there already — leaves it with a fresh last-write time (<see cref="Touch"/> for a writer that only names an existing
/// blob), and a writer that may take longer than the sweep's grace window (a dataset import) holds a
/// <see cref="LeaseWrites">lease</see> while it runs.
/// </para>
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

    /// <summary>
    /// For a writer about to reference a blob it did not store itself (a ticket naming an image by its hash): marks the
    /// blob as just used, so a sweep running now keeps it, and says whether it is stored. Check with this, not
    /// <see cref="Contains"/>, right before committing the reference.
    /// </summary>
    public bool Touch(string sha256) => Refresh(PathOf(sha256));

    public Stream OpenRead(string sha256) => new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);

    /// <summary>Stores bytes already in memory (small files: sample images).</summary>
    public async Task<StoredBlob> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var path = PathOf(sha256);
        if (!Refresh(path))
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
    /// Announces a writer that stores blobs now and commits the records referencing them later, possibly much later (a
    /// dataset import): until the lease is disposed, a sweep — in this process or another sharing the store — deletes
    /// nothing written or stored again after the lease began, however long the writer takes. The lease is a file in
    /// <see cref="TempFolder"/> named by its start, held open exclusively (the lock dies with the process) and touched
    /// every <see cref="LeaseHeartbeat"/> (for file systems without locks).
    /// </summary>
    public StoreWriteLease LeaseWrites()
    {
        Directory.CreateDirectory(TempFolder);
        var started = DateTime.UtcNow;
        var path = Path.Combine(TempFolder, $"{started.Ticks:D19}-{Guid.NewGuid():N}{StoreWriteLease.Extension}");
        return new StoreWriteLease(path, started, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None));
    }

    /// <summary>How often a held <see cref="StoreWriteLease"/> refreshes its file's last-write time; well within the shortest grace window (a minute).</summary>
    public static readonly TimeSpan LeaseHeartbeat = TimeSpan.FromSeconds(15);

    /// <summary>Whether <paramref name="name"/> is <paramref name="length"/> lower-case hex digits (a blob's folder or file name).</summary>
    public static bool IsLowerHex(string name, int length) => name.Length == length && name.All(char.IsAsciiHexDigitLower);

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

    private void MoveIntoPlace(string temp, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A sweep may take the existing blob away between the look and the move; then the move stores this copy. The
        // loop ends at once unless a sweep and another writer keep racing this one.
        for (var attempt = 1; ; attempt++)
        {
            if (Refresh(path))
            {
                return; // the same content is already stored, and now marked as just used
            }

            try
            {
                File.Move(temp, path);
                return;
            }
            catch (IOException) when (File.Exists(path) && attempt < 10)
            {
                // Another writer stored the same content first: refreshed on the next round.
            }
        }
    }

    /// <summary>
    /// Gives a stored blob the current time as its last-write time (a sweep keeps what was written within its grace
    /// window); false when there is no such blob. When the file is another account's (a store shared by instances
    /// running as different users, where only the owner may set a file's times) it is replaced by a copy of its own:
    /// the same bytes under the same name, moved over it in one step, so readers see one file or the other, both whole.
    /// </summary>
    private bool Refresh(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            var temp = TempPath();
            try
            {
                File.Copy(path, temp, overwrite: true);
                File.SetLastWriteTimeUtc(temp, DateTime.UtcNow);
                File.Move(temp, path, overwrite: true);
                return true;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }
}

/// <summary>
/// A writer's claim on the store while it runs (<see cref="ContentStore.LeaseWrites"/>); disposing ends it. Its file's
/// name says when it began: <c>&lt;UTC ticks&gt;-&lt;guid&gt;.lease</c>.
/// </summary>
public sealed class StoreWriteLease : IDisposable
{
    public const string Extension = ".lease";

    private readonly FileStream file;
    private readonly Timer heartbeat;

    internal StoreWriteLease(string path, DateTime started, FileStream file)
    {
        Path = path;
        Started = started;
        this.file = file;
        heartbeat = new Timer(_ => Beat(), null, ContentStore.LeaseHeartbeat, ContentStore.LeaseHeartbeat);
    }

    public string Path { get; }

    /// <summary>When the lease began (UTC): a sweep keeps every blob last written after this, less its grace window.</summary>
    public DateTime Started { get; }

    /// <summary>When a lease file's name says it began; null for a name that is not a lease's.</summary>
    public static DateTime? StartOf(string fileName) =>
        fileName.EndsWith(Extension, StringComparison.Ordinal) && fileName.Length == 19 + 1 + 32 + Extension.Length && fileName[19] == '-'
            && long.TryParse(fileName.AsSpan(0, 19), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTime.MaxValue.Ticks
            ? new DateTime(ticks, DateTimeKind.Utc)
            : null;

    private void Beat()
    {
        try
        {
            File.SetLastWriteTimeUtc(file.SafeFileHandle, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            // Disposed meanwhile, or the volume is gone; the held lock still says the writer is alive.
        }
    }

    public void Dispose()
    {
        heartbeat.Dispose();
        file.Dispose();
        File.Delete(Path);
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
