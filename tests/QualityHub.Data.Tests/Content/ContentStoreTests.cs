using QualityHub.Data.Content;

namespace QualityHub.Data.Tests.Content;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly ContentStore store;

    public ContentStoreTests() => store = new ContentStore(Microsoft.Extensions.Options.Options.Create(new StorageOptions { DataDirectory = folder.Path }));

    [Fact]
    public async Task A_staged_upload_keeps_its_name_and_bytes_until_disposed_and_then_leaves_the_temp_folder_empty()
    {
        var bytes = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();

        var staged = await store.StageAsync(new MemoryStream(bytes), "fashion.zip");
        var path = staged.Path;

        Assert.Equal("fashion.zip", Path.GetFileName(path));
        Assert.StartsWith(store.TempFolder + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        staged.Dispose();
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TempFolder));
    }

    [Theory]
    [InlineData("../../outside.zip", "outside.zip")]
    [InlineData("C:\\Users\\me\\set.zip", "set.zip")]
    [InlineData("..", "upload")]
    [InlineData("", "upload")]
    public async Task A_sent_name_cannot_place_the_file_outside_its_folder(string sent, string kept)
    {
        using var staged = await store.StageAsync(new MemoryStream([1, 2, 3]), sent);

        Assert.Equal(kept, Path.GetFileName(staged.Path));
        Assert.Equal(store.TempFolder, Path.GetDirectoryName(Path.GetDirectoryName(staged.Path)));
    }

    [Fact]
    public async Task A_stream_that_breaks_off_leaves_nothing_in_the_temp_folder()
    {
        var broken = new BreaksAfter(100_000);

        await Assert.ThrowsAsync<IOException>(() => store.StageAsync(broken, "half.zip"));

        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TempFolder));
    }

    [Fact]
    public async Task A_staged_blob_is_hashed_alone_in_its_folder_and_reaches_the_store_only_when_kept()
    {
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

        using (var staged = await store.StageBlobAsync(new MemoryStream(bytes), "model.onnx", maxBytes: bytes.Length))
        {
            Assert.Equal((sha256, bytes.Length), (staged.Sha256, staged.SizeBytes));
            Assert.Equal(["model.onnx"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(staged.Path)!).Select(Path.GetFileName));
            Assert.False(store.Contains(sha256));

            Assert.Equal(new StoredBlob(sha256, bytes.Length), store.Keep(staged));
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(store.PathOf(sha256)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TempFolder));
    }

    [Fact]
    public async Task A_staged_blob_not_kept_or_over_the_limit_leaves_nothing()
    {
        using (await store.StageBlobAsync(new MemoryStream([1, 2, 3]), "model.onnx", maxBytes: 3))
        {
        }

        await Assert.ThrowsAsync<ContentTooLargeException>(() => store.StageBlobAsync(new MemoryStream([1, 2, 3, 4]), "model.onnx", maxBytes: 3));

        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TempFolder));
        Assert.Empty(Directory.EnumerateFiles(store.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Storing_content_that_is_there_already_gives_the_blob_a_fresh_last_write_time()
    {
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 3)).ToArray();
        var sha256 = (await store.PutAsync(bytes)).Sha256;
        var old = DateTime.UtcNow.AddHours(-5);

        File.SetLastWriteTimeUtc(store.PathOf(sha256), old);
        await store.PutAsync(bytes);
        var afterBytes = File.GetLastWriteTimeUtc(store.PathOf(sha256));
        File.SetLastWriteTimeUtc(store.PathOf(sha256), old);
        await store.PutAsync(new MemoryStream(bytes), maxBytes: bytes.Length);
        var afterStream = File.GetLastWriteTimeUtc(store.PathOf(sha256));
        File.SetLastWriteTimeUtc(store.PathOf(sha256), old);
        var touched = store.Touch(sha256);

        Assert.True(afterBytes > old.AddHours(4));
        Assert.True(afterStream > old.AddHours(4));
        Assert.True(touched);
        Assert.True(File.GetLastWriteTimeUtc(store.PathOf(sha256)) > old.AddHours(4));
        Assert.False(store.Touch(new string('0', 64)));
        Assert.False(File.Exists(store.PathOf(new string('0', 64))));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TempFolder));
    }

    [Fact]
    public void A_write_lease_is_a_file_named_by_its_start_and_locked_until_disposed()
    {
        var lease = store.LeaseWrites();
        var path = lease.Path;

        Assert.Equal(store.TempFolder, Path.GetDirectoryName(path));
        Assert.Equal(lease.Started, StoreWriteLease.StartOf(Path.GetFileName(path)));
        Assert.Throws<IOException>(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None).Dispose());
        lease.Dispose();
        Assert.False(File.Exists(path));
        Assert.Null(StoreWriteLease.StartOf("upload.zip"));
        Assert.Null(StoreWriteLease.StartOf("x.lease"));
    }

    public void Dispose() => folder.Dispose();

    /// <summary>A body whose sender went away: some bytes, then an IOException.</summary>
    private sealed class BreaksAfter(int bytes) : MemoryStream(new byte[bytes])
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, count) is var read && read > 0 ? read : throw new IOException("The client has disconnected.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override int Read(Span<byte> buffer) =>
            base.Read(buffer) is var read && read > 0 ? read : throw new IOException("The client has disconnected.");
    }
}
