using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace QualityHub.Data.Content;

/// <summary>
/// Deletes the blobs of the <see cref="ContentStore"/> that no record references — what a cancelled or refused import
/// stored before it stopped — and the leftovers of killed processes in the store's tmp folder. Safe while imports run,
/// in this process and in any other sharing the store, because of what writers promise and what the sweep checks:
/// <list type="bullet">
/// <item>Every store of a blob, new or already there, leaves it with a fresh last-write time (ContentStore refreshes an
/// existing blob; <see cref="ContentStore.Touch"/> for a writer naming one by hash), and the writer commits its record
/// soon after. A sweep only judges blobs last written before its cutoff: now less the grace window
/// (Storage:SweepGraceMinutes).</item>
/// <item>A writer that may run longer than that (a dataset import) holds a <see cref="StoreWriteLease"/> from before its
/// first blob to its commit. A live lease moves the cutoff back to its start less the grace window, so nothing the
/// import stored or stored again is judged, however long it runs. A lease is live while its file is locked (the lock dies
/// with its process) or was touched within the grace window; a dead one is deleted.</item>
/// <item>An old blob is checked against the database (models, samples, tickets; an EF query, so right on either
/// engine). One no record references is then moved aside into the sweep's own folder under tmp — one atomic rename —
/// and judged again there: referenced by a record committed meanwhile, or touched by a writer before the rename (the
/// touch travels with the file), it is put back; otherwise it is deleted. A writer that touches it after the rename
/// finds no blob and stores it anew. So no blob a writer has claimed is deleted, without a lock between the sweep and
/// the writers; a blob may be missing for the moment between the rename and its return.</item>
/// </list>
/// One sweep at a time: on PostgreSQL a session advisory lock across the instances sharing the database (a sweep that
/// finds it taken is skipped), in this process a semaphore. The lock saves work; the protocol above is what keeps blobs.
/// Nothing outside the store's root is touched: symbolic links are never followed (a link is ignored, or in tmp removed
/// itself), names that are not blob names are left alone, and folders are never removed (a writer may be creating one).
/// </summary>
public sealed partial class ContentSweeper(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ContentStore store,
    IOptions<StorageOptions> options,
    TimeProvider clock,
    ILogger<ContentSweeper> logger)
{
    /// <summary>Blobs checked against the database in one query per referencing table.</summary>
    public const int BatchSize = 500;

    /// <summary>The folder a sweep moves blobs into before deleting them is named with this and a GUID.</summary>
    public const string AsidePrefix = "sweep-";

    /// <summary>The key of the PostgreSQL advisory lock a sweep holds (<see cref="DatabaseLocks.ContentSweep"/>).</summary>
    public const long AdvisoryLockKey = DatabaseLocks.ContentSweep;

    private static readonly EnumerationOptions NoFollow = new() { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };

    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>Sweeps the store; with <paramref name="dryRun"/> it only counts what it would delete.</summary>
    public async Task<SweepReport> SweepAsync(bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var grace = options.Value.ResolveSweepGrace();
        if (!await oneAtATime.WaitAsync(0, cancellationToken))
        {
            return new SweepReport { DryRun = dryRun, SkippedBecause = "a sweep is already running in this process" };
        }

        try
        {
            await using var instances = await LockInstancesAsync(cancellationToken);
            if (instances is null)
            {
                return new SweepReport { DryRun = dryRun, SkippedBecause = "another instance is sweeping the store" };
            }

            var sweep = new Sweep(this, store, dryRun, grace, clock.GetUtcNow().UtcDateTime);
            await sweep.RunAsync(cancellationToken);
            return sweep.Report;
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    // On PostgreSQL, several instances share the database (and the store): a session advisory lock on a connection held
    // for the sweep. Null when another session holds it. On SQLite (one process is the norm) nothing to take.
    private async Task<IAsyncDisposable?> LockInstancesAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ResolveProvider() != DatabaseProvider.Postgres)
        {
            return NoLock.Instance;
        }

        var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var taken = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({AdvisoryLockKey}) AS \"Value\"").ToListAsync(cancellationToken);
            if (taken[0])
            {
                return new AdvisoryLock(db);
            }
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }

        await db.DisposeAsync();
        return null;
    }

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class AdvisoryLock(QualityHubDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await db.Database.SqlQuery<bool>($"SELECT pg_advisory_unlock({AdvisoryLockKey}) AS \"Value\"").ToListAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The session may live on in the pool holding the lock: have the pool close it, which releases the lock.
                if (db.Database.GetDbConnection() is NpgsqlConnection connection)
                {
                    NpgsqlConnection.ClearPool(connection);
                }
            }
            finally
            {
                await db.DisposeAsync();
            }
        }
    }

    /// <summary>Which of <paramref name="hashes"/> a record references now: a model version, a sample or a ticket.</summary>
    private async Task<HashSet<string>> ReferencedAsync(IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        var list = hashes.ToList();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        referenced.UnionWith(await db.ModelVersions.Where(v => list.Contains(v.Sha256)).Select(v => v.Sha256).Distinct().ToListAsync(cancellationToken));
        referenced.UnionWith(await db.Samples.Where(s => list.Contains(s.ImageSha256)).Select(s => s.ImageSha256).Distinct().ToListAsync(cancellationToken));
        referenced.UnionWith(await db.VocTickets.Where(t => t.InputImageSha256 != null && list.Contains(t.InputImageSha256))
            .Select(t => t.InputImageSha256!).Distinct().ToListAsync(cancellationToken));
        return referenced;
    }

    // A database without a single reference next to a store with blobs is more likely the wrong database (a mistyped
    // path or connection string) than a store of nothing but leftovers: the sweep leaves the blobs alone.
    private async Task<bool> HoldsAnyReferenceAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.AnyAsync(cancellationToken)
            || await db.Samples.AnyAsync(cancellationToken)
            || await db.VocTickets.AnyAsync(t => t.InputImageSha256 != null, cancellationToken);
    }

    private static bool IsLink(FileSystemInfo entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

    /// <summary>One sweep's state: its cutoff, its aside folder and its counts.</summary>
    private sealed class Sweep(ContentSweeper owner, ContentStore store, bool dryRun, TimeSpan grace, DateTime now)
    {
        private readonly string aside = Path.Combine(store.TempFolder, AsidePrefix + Guid.NewGuid().ToString("N"));
        private DateTime cutoff;
        private bool? databaseHoldsReferences;

        public SweepReport Report { get; } = new() { DryRun = dryRun, Grace = grace };

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var root = new DirectoryInfo(store.Root);
            if (!root.Exists)
            {
                return;
            }

            var from = ReadLeases();
            cutoff = from.Ticks > grace.Ticks ? from - grace : DateTime.MinValue;
            Report.Cutoff = new DateTimeOffset(cutoff, TimeSpan.Zero);
            CleanTemp();
            try
            {
                await SweepBlobsAsync(root, cancellationToken);
            }
            finally
            {
                if (Directory.Exists(aside) && !Directory.EnumerateFileSystemEntries(aside).Any())
                {
                    Directory.Delete(aside);
                }
            }
        }

        // The oldest start of a live lease, or now: the point the grace window counts back from. Dead leases go.
        private DateTime ReadLeases()
        {
            var from = now;
            if (TempDirectory() is not { } temp)
            {
                return from;
            }

            foreach (var entry in temp.EnumerateFiles("*" + StoreWriteLease.Extension, NoFollow))
            {
                if (IsLink(entry) || StoreWriteLease.StartOf(entry.Name) is not { } started)
                {
                    continue;
                }

                if (IsHeld(entry.FullName) || entry.LastWriteTimeUtc >= now - grace)
                {
                    Report.LiveLeases++;
                    from = started < from ? started : from;
                }
                else
                {
                    Remove(entry);
                }
            }

            return from;
        }

        // Held open by a live writer: its lock refuses an exclusive open (FileShare.None takes an exclusive lock on Unix).
        private static bool IsHeld(string path)
        {
            try
            {
                using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
                return false;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return true;
            }
        }

        // Staged uploads and part-written blobs of processes that are gone: everything in tmp last written before the
        // cutoff (a folder counts by its newest file), except leases (judged above) and this sweep's own folder. Another
        // sweep's aside folder (a killed sweep's; on SQLite maybe a live one in another process) is emptied back into the
        // store at once, whatever its age: putting a blob back is always safe, the worst it does is keep an orphan.
        private void CleanTemp()
        {
            if (TempDirectory() is not { } temp)
            {
                return;
            }

            foreach (var entry in temp.EnumerateFileSystemInfos("*", NoFollow))
            {
                if (entry.Name == Path.GetFileName(aside) || (entry is FileInfo && StoreWriteLease.StartOf(entry.Name) is not null))
                {
                    continue;
                }

                if (IsLink(entry))
                {
                    // Nothing QualityHub writes is a link: removing one removes the link, never what it points at.
                    Remove(entry);
                    continue;
                }

                if (entry is DirectoryInfo folder && folder.Name.StartsWith(AsidePrefix, StringComparison.Ordinal))
                {
                    PutBack(folder);
                    continue;
                }

                if (NewestWrite(entry) >= cutoff)
                {
                    continue;
                }

                Report.TempBytes += SizeOf(entry);
                Remove(entry);
            }
        }

        // The store's tmp folder, unless it is missing or a link (never followed: what it points at is not the store's).
        private DirectoryInfo? TempDirectory()
        {
            var temp = new DirectoryInfo(store.TempFolder);
            return temp.Exists && !IsLink(temp) ? temp : null;
        }

        // Returns the blobs another sweep set aside to their places, then removes its folder if that left it empty (a
        // live sweep's folder may have gained a blob meanwhile; removing only an empty folder never takes one with it).
        private void PutBack(DirectoryInfo folder)
        {
            foreach (var file in folder.EnumerateFiles("*", NoFollow))
            {
                if (!IsLink(file) && ContentStore.IsLowerHex(file.Name, 64))
                {
                    Report.PutBack++;
                    if (!dryRun)
                    {
                        Return(file.FullName, store.PathOf(file.Name));
                    }
                }
            }

            try
            {
                if (!dryRun)
                {
                    Directory.Delete(folder.FullName, recursive: false);
                }
            }
            catch (IOException)
            {
                // Not empty: left for a later sweep.
            }
        }

        private static DateTime NewestWrite(FileSystemInfo entry)
        {
            var newest = entry.LastWriteTimeUtc;
            if (entry is DirectoryInfo folder)
            {
                foreach (var inner in folder.EnumerateFileSystemInfos("*", NoFollow))
                {
                    var write = IsLink(inner) ? inner.LastWriteTimeUtc : NewestWrite(inner);
                    newest = write > newest ? write : newest;
                }
            }

            return newest;
        }

        private static long SizeOf(FileSystemInfo entry) => entry switch
        {
            _ when IsLink(entry) => 0,
            FileInfo file => file.Length,
            DirectoryInfo folder => folder.EnumerateFileSystemInfos("*", NoFollow).Sum(SizeOf),
            _ => 0,
        };

        private void Remove(FileSystemInfo entry)
        {
            Report.TempDeleted++;
            if (dryRun)
            {
                return;
            }

            try
            {
                if (entry is DirectoryInfo && !IsLink(entry))
                {
                    // Removes links inside as links; never follows them (documented for Directory.Delete).
                    Directory.Delete(entry.FullName, recursive: true);
                }
                else
                {
                    File.Delete(entry.FullName);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Report.TempDeleted--;
                owner.Failed(entry.FullName, e);
                Report.Failures++;
            }
        }

        private async Task SweepBlobsAsync(DirectoryInfo root, CancellationToken cancellationToken)
        {
            var batch = new List<Blob>(BatchSize);
            foreach (var entry in root.EnumerateFileSystemInfos("*", NoFollow))
            {
                if (entry.Name == Path.GetFileName(store.TempFolder))
                {
                    continue;
                }

                if (entry is not DirectoryInfo fanOut || IsLink(entry) || !ContentStore.IsLowerHex(entry.Name, 2))
                {
                    Report.Ignored++;
                    continue;
                }

                // Listed first: blobs put back during the batch would otherwise be listed (and counted) twice.
                foreach (var item in fanOut.EnumerateFileSystemInfos("*", NoFollow).ToList())
                {
                    if (item is not FileInfo file || IsLink(item) || !ContentStore.IsLowerHex(item.Name, 62))
                    {
                        Report.Ignored++;
                        continue;
                    }

                    Report.Scanned++;
                    if (file.LastWriteTimeUtc >= cutoff)
                    {
                        Report.TooYoung++;
                        continue;
                    }

                    batch.Add(new Blob(fanOut.Name + file.Name, file.FullName, file.Length));
                    if (batch.Count == BatchSize)
                    {
                        await JudgeAsync(batch, cancellationToken);
                        batch.Clear();
                    }
                }
            }

            if (batch.Count > 0)
            {
                await JudgeAsync(batch, cancellationToken);
            }
        }

        private async Task JudgeAsync(List<Blob> batch, CancellationToken cancellationToken)
        {
            var referenced = await owner.ReferencedAsync(batch.Select(b => b.Sha256).ToList(), cancellationToken);
            var unreferenced = batch.Where(b => !referenced.Contains(b.Sha256)).ToList();
            Report.Referenced += batch.Count - unreferenced.Count;
            if (unreferenced.Count == 0)
            {
                return;
            }

            databaseHoldsReferences ??= await owner.HoldsAnyReferenceAsync(cancellationToken);
            if (databaseHoldsReferences == false)
            {
                Report.BlobsLeftBecause = "the database holds no model, sample or ticket image: is it this store's database?";
                return;
            }

            if (dryRun)
            {
                Report.Deleted += unreferenced.Count;
                Report.DeletedBytes += unreferenced.Sum(b => b.SizeBytes);
                return;
            }

            var setAside = new List<(Blob Blob, string Aside)>();
            Directory.CreateDirectory(aside);
            try
            {
                foreach (var blob in unreferenced)
                {
                    var moved = Path.Combine(aside, blob.Sha256);
                    try
                    {
                        File.Move(blob.Path, moved);
                        setAside.Add((blob, moved));
                    }
                    catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                    {
                        // Gone already (another sweep).
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        owner.Failed(blob.Path, e);
                        Report.Failures++;
                    }
                }

                // The second look, now that no writer can claim these blobs any more without storing them anew.
                var claimed = setAside.Count == 0 ? [] : await owner.ReferencedAsync(setAside.Select(s => s.Blob.Sha256).ToList(), cancellationToken);
                while (setAside.Count > 0)
                {
                    var (blob, moved) = setAside[^1];
                    setAside.RemoveAt(setAside.Count - 1);
                    Decide(blob, moved, claimed.Contains(blob.Sha256));
                }
            }
            finally
            {
                // The database failed or the sweep was cancelled between the two looks: everything set aside goes back.
                foreach (var (blob, moved) in setAside)
                {
                    Return(moved, blob.Path);
                }
            }
        }

        // A set-aside blob: back into place when a record references it or a writer touched it before it was moved, else deleted.
        private void Decide(Blob blob, string moved, bool referenced)
        {
            var file = new FileInfo(moved);
            if (!file.Exists)
            {
                return;
            }

            if (referenced || file.LastWriteTimeUtc >= cutoff)
            {
                if (referenced)
                {
                    Report.Referenced++;
                }
                else
                {
                    Report.TooYoung++;
                }

                Return(moved, blob.Path);
                return;
            }

            try
            {
                var size = file.Length;
                File.Delete(moved);
                Report.Deleted++;
                Report.DeletedBytes += size;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                owner.Failed(moved, e);
                Report.Failures++;
                Return(moved, blob.Path);
            }
        }

        // Puts a set-aside blob back; when a writer has stored the same content there meanwhile, the copy is surplus.
        private void Return(string moved, string path)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Move(moved, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(moved);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left in the aside folder, which a later sweep empties back into the store.
                owner.Failed(path, e);
                Report.Failures++;
            }
        }

        private sealed record Blob(string Sha256, string Path, long SizeBytes);
    }

    private void Failed(string path, Exception e) => LogFailed(path, e.Message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Content store sweep could not handle {Path}: {Reason}")]
    private partial void LogFailed(string path, string reason);
}

/// <summary>What a sweep found and did (or, in a dry run, would do).</summary>
public sealed class SweepReport
{
    public bool DryRun { get; init; }

    /// <summary>Why nothing was swept (another sweep holds the lock); null when the sweep ran.</summary>
    public string? SkippedBecause { get; init; }

    /// <summary>
    /// Why old unreferenced blobs were left alone (a database without a single reference: more likely the wrong database
    /// than a store of leftovers only); null when they were judged.
    /// </summary>
    public string? BlobsLeftBecause { get; internal set; }

    public TimeSpan Grace { get; init; }

    /// <summary>Blobs last written before this were judged; the rest were too young (grace window, live leases).</summary>
    public DateTimeOffset? Cutoff { get; internal set; }

    /// <summary>Writers' leases alive during the sweep (imports under way).</summary>
    public int LiveLeases { get; internal set; }

    /// <summary>Blob files found (valid names).</summary>
    public int Scanned { get; internal set; }

    /// <summary>Old enough to judge and referenced by a record.</summary>
    public int Referenced { get; internal set; }

    /// <summary>Left alone without a look at the database: written or stored again after the cutoff.</summary>
    public int TooYoung { get; internal set; }

    /// <summary>Blobs deleted (in a dry run: that would be).</summary>
    public int Deleted { get; internal set; }

    public long DeletedBytes { get; internal set; }

    /// <summary>Entries in the store that are not blobs (other names, links, stray folders): never touched.</summary>
    public int Ignored { get; internal set; }

    /// <summary>Stale entries of the tmp folder deleted: staged uploads, part-written blobs, dead leases, links.</summary>
    public int TempDeleted { get; internal set; }

    public long TempBytes { get; internal set; }

    /// <summary>Blobs an interrupted sweep had set aside, put back into the store.</summary>
    public int PutBack { get; internal set; }

    /// <summary>Files that could not be moved or deleted (logged one by one).</summary>
    public int Failures { get; internal set; }

    public override string ToString()
    {
        if (SkippedBecause is not null)
        {
            return $"skipped: {SkippedBecause}";
        }

        var verb = DryRun ? "would delete" : "deleted";
        var text = BlobsLeftBecause is not null
            ? $"{Scanned:N0} blobs, none deleted: {BlobsLeftBecause}"
            : $"{Scanned:N0} blobs: {Referenced:N0} referenced, {TooYoung:N0} too young (grace {Grace.TotalMinutes:0.#} min{(LiveLeases > 0 ? $", {LiveLeases} import(s) under way" : "")}), {verb} {Deleted:N0} ({Mib(DeletedBytes)})";
        text += $"; tmp: {verb} {TempDeleted:N0} stale entries ({Mib(TempBytes)})";
        if (PutBack > 0)
        {
            text += $"; {PutBack:N0} blobs of an interrupted sweep put back";
        }

        if (Ignored > 0)
        {
            text += $"; {Ignored:N0} entries not blobs, left alone";
        }

        if (Failures > 0)
        {
            text += $"; {Failures:N0} failures (logged)";
        }

        return (DryRun ? "dry run: " : "") + text;
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:0.##} MiB";
}
