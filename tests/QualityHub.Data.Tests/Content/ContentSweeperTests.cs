using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Tests.Content;

/// <summary>
/// The sweep of blobs no record references: what a cancelled import leaves goes once the grace window has passed, and
/// nothing an import still under way stored (or stored again) goes, however late the sweep runs. The sweep's clock is
/// a <see cref="ManualClock"/> set hours ahead ("the sweep runs later"); blobs are made old with their file times.
/// </summary>
public sealed class ContentSweeperTests : IAsyncLifetime
{
    private static readonly string[] Labels = ["zero", "one", "two"];
    private static readonly string TinyClassifier = RepositoryFiles.Path("tests", "QualityHub.Inference.Tests", "Models", "tiny-classifier.onnx");
    private readonly TempFolder input = new();
    private readonly TempFolder outside = new();
    private RegistryFixture fixture = null!;

    private ContentStore Store => fixture.Storage.Get<ContentStore>();

    private ContentSweeper SweeperAt(TimeSpan later) => new(
        fixture.Storage.Get<IDbContextFactory<QualityHubDbContext>>(),
        Store,
        fixture.Storage.Get<IOptions<StorageOptions>>(),
        new ManualClock(DateTimeOffset.UtcNow + later),
        NullLogger<ContentSweeper>.Instance);

    [Fact]
    public async Task A_cancelled_imports_blobs_are_deleted_after_the_grace_window_and_every_referenced_blob_is_kept()
    {
        var model = await RegisterModelAsync();
        var kept = await ImportAsync("kept", seed: 1, count: 20);
        var ticketImage = await FileTicketWithImageAsync();
        var before = BlobsOnDisk();

        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImportAsync("cancelled", seed: 2, count: 600, new CancelAt(250, cancel), cancel.Token));
        var orphans = BlobsOnDisk().Except(before).ToList();
        var orphanBytes = orphans.Sum(sha => new FileInfo(Store.PathOf(sha)).Length);
        var report = await SweeperAt(TimeSpan.FromHours(2)).SweepAsync();

        Assert.Equal(250, orphans.Count);
        Assert.Empty(Directory.EnumerateFiles(Store.TempFolder, "*.lease")); // the import's lease ended with it
        Assert.Equal((orphans.Count, orphanBytes), (report.Deleted, report.DeletedBytes));
        Assert.Equal(before.Order(), BlobsOnDisk().Order());
        Assert.Contains(model, before);
        Assert.Contains(ticketImage, before);
        Assert.Equal(20, (await SampleHashesAsync(kept)).Intersect(before).Count());
        Assert.Equal((before.Count, 0, 0), (report.Referenced, report.TooYoung, report.Failures));
        Assert.Null(report.SkippedBecause);
    }

    [Fact]
    public async Task A_sweep_hours_later_while_an_import_is_storing_keeps_its_blobs_and_the_import_completes_with_every_image()
    {
        await ImportAsync("kept", seed: 1, count: 5);
        var orphan = await StoreOldOrphanAsync(7);
        var beforeImport = BlobsOnDisk();
        using var pause = new PauseAt(250);

        var import = Task.Run(() => ImportAsync("racing", seed: 3, count: 300, pause));
        await pause.Reached;
        var stored = BlobsOnDisk().Except(beforeImport).ToList();
        var report = await SweeperAt(TimeSpan.FromHours(3)).SweepAsync();
        var afterSweep = BlobsOnDisk();
        pause.Release();
        var dataset = await import;

        Assert.Equal(250, stored.Count);
        Assert.Equal(1, report.LiveLeases);
        Assert.Empty(stored.Except(afterSweep));
        Assert.Equal(1, report.Deleted); // the sweep did run: the old orphan went
        Assert.DoesNotContain(orphan, afterSweep);
        var samples = await SampleHashesAsync(dataset);
        Assert.Equal(300, samples.Count);
        Assert.All(samples, sha => Assert.True(Store.Contains(sha), $"sample image {sha} is missing"));
    }

    [Fact]
    public async Task A_blob_that_became_old_and_is_stored_again_by_a_new_import_is_kept()
    {
        await ImportAsync("kept", seed: 1, count: 5);
        using var cancel = new CancellationTokenSource();
        var before = BlobsOnDisk();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImportAsync("cancelled", seed: 4, count: 300, new CancelAt(250, cancel), cancel.Token));
        var leftovers = BlobsOnDisk().Except(before).ToList();
        foreach (var sha in leftovers)
        {
            MakeOld(Store.PathOf(sha));
        }

        var unrelated = await StoreOldOrphanAsync(9);
        using var pause = new PauseAt(250);

        // The same images again: the first 250 are the leftovers, stored anew (found there, and touched).
        var import = Task.Run(() => ImportAsync("again", seed: 4, count: 300, pause));
        await pause.Reached;
        var report = await SweeperAt(TimeSpan.FromHours(3)).SweepAsync();
        var afterSweep = BlobsOnDisk();
        pause.Release();
        var dataset = await import;

        Assert.Equal(250, leftovers.Count);
        Assert.Empty(leftovers.Except(afterSweep));
        Assert.Equal(1, report.Deleted);
        Assert.DoesNotContain(unrelated, afterSweep);
        Assert.All(await SampleHashesAsync(dataset), sha => Assert.True(Store.Contains(sha), $"sample image {sha} is missing"));
    }

    [Fact]
    public async Task A_blob_claimed_after_the_sweeps_first_look_is_put_back_not_deleted()
    {
        await ImportAsync("kept", seed: 1, count: 3);
        var referencedMeanwhile = await StoreOldOrphanAsync(1);
        var touchedMeanwhile = await StoreOldOrphanAsync(2);
        var orphan = await StoreOldOrphanAsync(3);
        // The sweep's database calls: (on PostgreSQL its lock,) the first look, the check for any reference, the second
        // look. Before the call after the first look, a writer touches one blob and commits a ticket naming the other.
        var firstLookDone = TestDatabase.IsPostgres ? 2 : 1;
        var contexts = new ClaimingFactory(fixture.Storage.Get<IDbContextFactory<QualityHubDbContext>>(), firstLookDone, async db =>
        {
            Assert.True(Store.Touch(touchedMeanwhile));
            db.VocTickets.Add(new VocTicket { Title = "filed meanwhile", InputImageSha256 = referencedMeanwhile, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        });
        var sweeper = new ContentSweeper(contexts, Store, fixture.Storage.Get<IOptions<StorageOptions>>(), new ManualClock(), NullLogger<ContentSweeper>.Instance);

        var report = await sweeper.SweepAsync();

        Assert.True(contexts.Claimed);
        Assert.True(Store.Contains(referencedMeanwhile));
        Assert.True(Store.Contains(touchedMeanwhile));
        Assert.False(Store.Contains(orphan));
        Assert.Equal(1, report.Deleted);
        Assert.Empty(Directory.EnumerateDirectories(Store.TempFolder)); // nothing left set aside
    }

    [Fact]
    public async Task A_dry_run_counts_what_a_sweep_would_delete_and_deletes_nothing()
    {
        await ImportAsync("kept", seed: 1, count: 5);
        var orphans = new[] { await StoreOldOrphanAsync(1), await StoreOldOrphanAsync(2), await StoreOldOrphanAsync(3) };
        var part = Path.Combine(Store.TempFolder, $"{Guid.NewGuid():N}.part");
        await File.WriteAllBytesAsync(part, new byte[100]);
        MakeOld(part);
        var onDisk = BlobsOnDisk();

        var dry = await SweeperAt(TimeSpan.Zero).SweepAsync(dryRun: true);

        Assert.True(dry.DryRun);
        Assert.Equal(3, dry.Deleted);
        Assert.Equal(1, dry.TempDeleted);
        Assert.Equal(onDisk.Order(), BlobsOnDisk().Order());
        Assert.True(File.Exists(part));
        Assert.StartsWith("dry run: ", dry.ToString(), StringComparison.Ordinal);

        var real = await SweeperAt(TimeSpan.Zero).SweepAsync();

        Assert.Equal((dry.Deleted, dry.DeletedBytes, dry.TempDeleted, dry.TempBytes), (real.Deleted, real.DeletedBytes, real.TempDeleted, real.TempBytes));
        Assert.Empty(orphans.Intersect(BlobsOnDisk()));
        Assert.False(File.Exists(part));
    }

    [Fact]
    public async Task A_sweep_with_nothing_to_do_deletes_nothing()
    {
        var empty = await SweeperAt(TimeSpan.FromHours(2)).SweepAsync(); // no store folder yet
        var kept = await ImportAsync("kept", seed: 1, count: 12);

        var report = await SweeperAt(TimeSpan.FromHours(2)).SweepAsync();

        Assert.Equal((0, 0, 0), (empty.Scanned, empty.Deleted, empty.TempDeleted));
        Assert.Equal((12, 12, 0, 0, 0), (report.Scanned, report.Referenced, report.TooYoung, report.Deleted, report.TempDeleted));
        Assert.All(await SampleHashesAsync(kept), sha => Assert.True(Store.Contains(sha)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Store.TempFolder)); // its own folder gone too
    }

    [Fact]
    public async Task Young_unreferenced_blobs_are_left_for_a_later_sweep()
    {
        await ImportAsync("kept", seed: 1, count: 3);
        var young = (await Store.PutAsync(Png(1, 99))).Sha256;

        var report = await SweeperAt(TimeSpan.FromMinutes(30)).SweepAsync();

        Assert.True(Store.Contains(young));
        Assert.Equal((4, 4, 0), (report.Scanned, report.TooYoung, report.Deleted));
    }

    [Fact]
    public async Task Names_that_are_not_blobs_and_links_are_left_alone_and_only_stale_tmp_entries_go()
    {
        await ImportAsync("kept", seed: 1, count: 3);
        var orphan = await StoreOldOrphanAsync(5);
        var fanOut = Path.GetDirectoryName(Store.PathOf(orphan))!;
        var hexName = new string('a', 62);
        var precious = Path.Combine(outside.Path, hexName);
        await File.WriteAllTextAsync(precious, "not the store's");
        MakeOld(precious);
        var strays = new[]
        {
            Path.Combine(Store.Root, "README.txt"),
            Path.Combine(fanOut, "not-a-hash"),
            Path.Combine(fanOut, hexName.ToUpperInvariant()),
            Path.Combine(fanOut, hexName + "0"),
            Path.Combine(Store.Root, "zz", hexName),
        };
        foreach (var stray in strays)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(stray)!);
            await File.WriteAllTextAsync(stray, "stray");
            MakeOld(stray);
        }

        var linkedFanOut = Path.Combine(Store.Root, "cd");
        Directory.CreateSymbolicLink(linkedFanOut, outside.Path);
        var linkedBlob = Path.Combine(fanOut, new string('b', 62));
        File.CreateSymbolicLink(linkedBlob, precious);

        var temp = Store.TempFolder;
        var part = Path.Combine(temp, $"{Guid.NewGuid():N}.part");
        await File.WriteAllBytesAsync(part, new byte[10]);
        var staleUpload = Path.Combine(temp, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staleUpload);
        await File.WriteAllBytesAsync(Path.Combine(staleUpload, "upload.zip"), new byte[1000]);
        var liveUpload = Path.Combine(temp, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(liveUpload);
        await File.WriteAllBytesAsync(Path.Combine(liveUpload, "images.idx"), new byte[10]); // still being written: young
        var deadLease = Path.Combine(temp, $"{DateTime.UtcNow.AddHours(-3).Ticks:D19}-{Guid.NewGuid():N}.lease");
        await File.WriteAllBytesAsync(deadLease, []);
        var tempLink = Path.Combine(temp, "link");
        Directory.CreateSymbolicLink(tempLink, outside.Path);
        foreach (var old in new[] { part, Path.Combine(staleUpload, "upload.zip"), staleUpload, deadLease })
        {
            MakeOld(old);
        }

        MakeOld(liveUpload); // the folder is old, its file is not

        var report = await SweeperAt(TimeSpan.Zero).SweepAsync();

        Assert.All(strays, stray => Assert.True(File.Exists(stray), stray));
        Assert.True(File.Exists(precious));
        Assert.True(Directory.Exists(linkedFanOut));
        Assert.NotNull(new FileInfo(linkedBlob).LinkTarget);
        Assert.False(Store.Contains(orphan));
        Assert.Equal(1, report.Deleted);
        Assert.Equal(7, report.Ignored); // README, zz, cd (a link), and in the fan-out: three bad names and a link
        Assert.Equal(4, report.TempDeleted); // the part file, the stale upload, the dead lease, the link
        Assert.Equal(1010, report.TempBytes);
        Assert.False(File.Exists(part));
        Assert.False(Directory.Exists(staleUpload));
        Assert.False(File.Exists(deadLease));
        Assert.False(Path.Exists(tempLink));
        Assert.True(File.Exists(Path.Combine(liveUpload, "images.idx")));
        Assert.True(File.Exists(precious));
    }

    [Fact]
    public async Task A_live_lease_keeps_blobs_and_stays_however_old_its_file()
    {
        await ImportAsync("kept", seed: 1, count: 3);
        using var lease = Store.LeaseWrites();
        var written = (await Store.PutAsync(Png(2, 77))).Sha256;
        MakeOld(lease.Path); // a lease whose heartbeat stalled: its lock still says its writer lives

        var report = await SweeperAt(TimeSpan.FromDays(2)).SweepAsync();

        Assert.True(File.Exists(lease.Path));
        Assert.True(Store.Contains(written));
        Assert.Equal((1, 0), (report.LiveLeases, report.Deleted));
    }

    [Fact]
    public async Task Blobs_a_killed_sweep_had_set_aside_are_put_back()
    {
        var kept = await ImportAsync("kept", seed: 1, count: 3);
        var sha = (await SampleHashesAsync(kept))[0];
        var aside = Path.Combine(Store.TempFolder, ContentSweeper.AsidePrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(aside);
        File.Move(Store.PathOf(sha), Path.Combine(aside, sha));

        var report = await SweeperAt(TimeSpan.Zero).SweepAsync();

        Assert.True(Store.Contains(sha));
        Assert.False(Directory.Exists(aside));
        Assert.Equal((1, 0), (report.PutBack, report.Deleted));
    }

    [Fact]
    public async Task Blobs_beside_a_database_without_a_single_reference_are_left_alone()
    {
        var orphan = await StoreOldOrphanAsync(1);

        var report = await SweeperAt(TimeSpan.FromHours(2)).SweepAsync();

        Assert.True(Store.Contains(orphan));
        Assert.Equal(0, report.Deleted);
        Assert.Contains("this store's database", report.BlobsLeftBecause);
    }

    [Fact]
    [Trait("Engine", "postgres")]
    public async Task On_PostgreSQL_a_sweep_is_skipped_while_another_instance_holds_the_sweep_lock()
    {
        using var folder = new TempFolder();
        var connectionString = (await PostgresTestServer.SharedAsync()).ConnectionStringFor($"qh_{Guid.NewGuid():N}");
        await using var storage = new Storage(folder.Path, more: new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["ConnectionStrings:QualityHub"] = connectionString,
        });
        await storage.Initializer.InitializeAsync();
        var sweeper = storage.Get<ContentSweeper>();

        SweepReport whileHeld;
        // Another instance's session; unpooled, so closing it ends the session and its lock, as that instance's exit would.
        await using (var other = new NpgsqlConnection(connectionString + ";Pooling=false"))
        {
            await other.OpenAsync();
            await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({ContentSweeper.AdvisoryLockKey})", other);
            Assert.True((bool)(await take.ExecuteScalarAsync())!);
            whileHeld = await sweeper.SweepAsync();
        }

        var after = await sweeper.SweepAsync();
        var again = await sweeper.SweepAsync(); // the lock was given back

        Assert.Equal("another instance is sweeping the store", whileHeld.SkippedBecause);
        Assert.Null(after.SkippedBecause);
        Assert.Null(again.SkippedBecause);
    }

    private async Task<string> RegisterModelAsync()
    {
        await using var file = File.OpenRead(TinyClassifier);
        var result = await fixture.Storage.Get<ModelRegistry>().ImportAsync(new ModelImportRequest("fashion", "tiny", "tiny-classifier.onnx"), file);
        return result.Version.Sha256;
    }

    private async Task<string> FileTicketWithImageAsync()
    {
        var sha = (await Store.PutAsync(Png(3, 1))).Sha256;
        await using var db = await fixture.Storage.CreateContextAsync();
        db.VocTickets.Add(new VocTicket { Title = "wrong class", InputImageSha256 = sha, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return sha;
    }

    private async Task<string> StoreOldOrphanAsync(byte seed)
    {
        var sha = (await Store.PutAsync(Png(4, seed))).Sha256;
        MakeOld(Store.PathOf(sha));
        return sha;
    }

    private async Task<Dataset> ImportAsync(string name, byte seed, int count, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateDirectory(Path.Combine(input.Path, name)).FullName;
        var (images, labels) = WriteIdx(folder, seed, count);
        var request = new DatasetImportRequest { Name = name, ModuleName = "fashion", LicenceId = "MIT", Labels = Labels };
        var result = await fixture.Storage.Get<DatasetImporter>().ImportAsync(request, DatasetSource.FromIdx(images, labels), progress, cancellationToken);
        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        return result.Dataset!;
    }

    private async Task<List<string>> SampleHashesAsync(Dataset dataset)
    {
        await using var db = await fixture.Storage.CreateContextAsync();
        return await db.Samples.Where(s => s.DatasetId == dataset.Id).OrderBy(s => s.Ordinal).Select(s => s.ImageSha256).ToListAsync();
    }

    /// <summary>Every blob in the store, by hash.</summary>
    private HashSet<string> BlobsOnDisk() => !Directory.Exists(Store.Root)
        ? []
        : Directory.EnumerateDirectories(Store.Root)
            .Where(d => Path.GetFileName(d) != "tmp" && new DirectoryInfo(d).LinkTarget is null)
            .SelectMany(d => Directory.EnumerateFiles(d).Where(f => new FileInfo(f).LinkTarget is null).Select(f => Path.GetFileName(d) + Path.GetFileName(f)))
            .Where(name => name.Length == 64 && name.All(char.IsAsciiHexDigitLower))
            .ToHashSet();

    /// <summary>Last written five hours ago: past any grace window the tests use.</summary>
    private static void MakeOld(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-5));
        }
        else
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-5));
        }
    }

    private static byte[] Png(byte kind, byte seed)
    {
        var image = new Image(4, 4, 1);
        image.Pixels[0] = kind;
        image.Pixels[1] = seed;
        return PngEncoder.Encode(image);
    }

    /// <summary>IDX files of <paramref name="count"/> 3×2 images, each different (index in the first two pixels, the seed in the third).</summary>
    private static (string Images, string Labels) WriteIdx(string folder, byte seed, int count)
    {
        var images = new List<byte>();
        images.AddRange(BigEndian(0x00000803));
        images.AddRange(BigEndian(count));
        images.AddRange(BigEndian(2));
        images.AddRange(BigEndian(3));
        var labels = new List<byte>();
        labels.AddRange(BigEndian(0x00000801));
        labels.AddRange(BigEndian(count));
        for (var i = 0; i < count; i++)
        {
            images.AddRange([(byte)(i & 0xFF), (byte)(i >> 8), seed, 0, 0, 0]);
            labels.Add((byte)(i % Labels.Length));
        }

        var imagesPath = Path.Combine(folder, "images.idx");
        var labelsPath = Path.Combine(folder, "labels.idx");
        File.WriteAllBytes(imagesPath, images.ToArray());
        File.WriteAllBytes(labelsPath, labels.ToArray());
        return (imagesPath, labelsPath);
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    // Runs `claim` (on a context of its own) once, before handing out the context after the first `skip`.
    private sealed class ClaimingFactory(IDbContextFactory<QualityHubDbContext> inner, int skip, Func<QualityHubDbContext, Task> claim) : IDbContextFactory<QualityHubDbContext>
    {
        private int calls;

        public bool Claimed { get; private set; }

        public QualityHubDbContext CreateDbContext() => throw new NotSupportedException("The sweeper creates its contexts asynchronously.");

        public async Task<QualityHubDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            if (++calls == skip + 1)
            {
                await using var db = await inner.CreateDbContextAsync(cancellationToken);
                await claim(db);
                Claimed = true;
            }

            return await inner.CreateDbContextAsync(cancellationToken);
        }
    }

    // Cancels once `at` items are done, on the importer's own thread (progress is reported every 250 items).
    private sealed class CancelAt(int at, CancellationTokenSource cancel) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (value.Done >= at)
            {
                cancel.Cancel();
            }
        }
    }

    // Holds the importer on its own thread once `at` items are stored, until released: an import under way, not committed.
    private sealed class PauseAt(int at) : IProgress<ImportProgress>, IDisposable
    {
        private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim release = new();

        public Task Reached => reached.Task;

        public void Release() => release.Set();

        public void Report(ImportProgress value)
        {
            if (value.Done >= at && reached.TrySetResult())
            {
                release.Wait();
            }
        }

        public void Dispose()
        {
            release.Set();
            release.Dispose();
        }
    }

    public async Task InitializeAsync() => fixture = await RegistryFixture.CreateAsync();

    public async Task DisposeAsync()
    {
        await fixture.DisposeAsync();
        input.Dispose();
        outside.Dispose();
    }
}
