using System.Buffers.Binary;
using System.IO.Compression;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public sealed class IdxTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("qualityhub-idx-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void An_image_file_gives_each_image_by_index_as_a_gray_image()
    {
        var images = IdxImages.Load(Write("images", ImageFile(3, 2, 4)));

        Assert.Equal((3, 2, 4), (images.Count, images.Rows, images.Columns));
        var second = images.GetImage(1);
        Assert.Equal((4, 2, 1), (second.Width, second.Height, second.Channels));
        Assert.Equal(Pixels(1, 8), second.Pixels);
        Assert.Equal(Pixels(2, 8), images.GetPixels(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => images.GetImage(3));
    }

    [Fact]
    public void A_gzipped_image_file_reads_the_same_whatever_its_name()
    {
        var plain = IdxImages.Load(Write("images", ImageFile(3, 2, 4)));
        var gzipped = IdxImages.Load(Write("images-no-gz-suffix", Gzip(ImageFile(3, 2, 4))));

        Assert.Equal(plain.Count, gzipped.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(plain.GetPixels(i).ToArray(), gzipped.GetPixels(i).ToArray()));
    }

    [Fact]
    public void Streams_that_cannot_seek_are_read_plain_or_gzipped()
    {
        using var plain = new NonSeekableStream(ImageFile(5, 3, 3));
        using var gzipped = new NonSeekableStream(Gzip(ImageFile(5, 3, 3)));

        Assert.Equal(Pixels(4, 9), IdxImages.Read(plain).GetPixels(4).ToArray());
        Assert.Equal(Pixels(4, 9), IdxImages.Read(gzipped).GetPixels(4).ToArray());
    }

    [Fact]
    public void A_label_file_gives_every_label_plain_or_gzipped()
    {
        byte[] labels = [.. Header(0x801, 5), 3, 1, 4, 1, 5];

        var plain = IdxLabels.Load(Write("labels", labels));
        var gzipped = IdxLabels.Load(Write("labels.gz", Gzip(labels)));

        Assert.Equal([3, 1, 4, 1, 5], plain.Values.ToArray());
        Assert.Equal([3, 1, 4, 1, 5], gzipped.Values.ToArray());
        Assert.Equal(4, plain[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => plain[5]);
    }

    [Fact]
    public void A_file_that_is_not_IDX_is_named_as_such_without_quoting_its_bytes()
    {
        var path = Write("png", PngBytes.Gray8(1, 1, (x, y) => 0));

        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Load(path));

        Assert.Equal($"{path}: Not an IDX image file: its magic number is wrong (an IDX image file starts with 0x00000803).", e.Message);
        Assert.DoesNotContain("89504E47", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(new byte[] { 0x72, 0x6F, 0x6F, 0x74, 0x3A, 0x78, 0x3A, 0x30 }, "726F6F74")] // "root:x:0", as /etc/passwd starts
    [InlineData(new byte[] { 0, 0, 0x42, 0x43, 0x44, 0x45 }, "42")] // zero bytes, then no IDX data type
    [InlineData(new byte[] { 0, 0, 0x08, 0x07, 0x44, 0x45 }, "07")] // unsigned bytes, seven dimensions
    public void The_refusal_of_a_file_that_is_not_IDX_quotes_none_of_its_bytes(byte[] file, string hex)
    {
        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(file)));

        Assert.StartsWith("Not an IDX image file: its magic number is wrong", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"0x{hex}", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_types_other_than_unsigned_byte_are_refused_by_name()
    {
        byte[] floats = [0, 0, 0x0D, 3, .. new byte[12]];

        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(floats)));

        Assert.Equal("The IDX file holds float32 values; only unsigned bytes (type 0x08) are supported.", e.Message);
    }

    [Fact]
    public void A_label_file_read_as_images_and_the_reverse_say_which_is_which()
    {
        byte[] labels = [.. Header(0x801, 1), 7];

        var asImages = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(labels)));
        var asLabels = Assert.Throws<InvalidImageException>(() => IdxLabels.Read(new MemoryStream(ImageFile(1, 1, 1))));

        Assert.Equal("This is an IDX label file, not an IDX image file (which starts with 0x00000803).", asImages.Message);
        Assert.Equal("This is an IDX image file, not an IDX label file (which starts with 0x00000801).", asLabels.Message);
    }

    [Fact]
    public void Data_beyond_the_limit_is_refused_from_the_header_before_it_is_allocated_plain_or_gzipped()
    {
        var limit = ByteLimit.Megabytes(1, "Registry:MaxIdxFileMb");
        var plain = Header(0x803, 2000, 28, 28); // 1,568,000 bytes declared, none present
        var gzipped = Gzip(plain);
        _ = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(gzipped), limit));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var fromPlain = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(plain), limit));
        var fromGzip = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(gzipped), limit));
        var labels = Assert.Throws<InvalidImageException>(() => IdxLabels.Read(new MemoryStream(Gzip(Header(0x801, 2_000_000))), limit));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("The IDX header declares 2000 images of 28x28 (1568000 bytes), more than the 1 MiB (Registry:MaxIdxFileMb) allowed.", fromPlain.Message);
        Assert.Equal(fromPlain.Message, fromGzip.Message);
        Assert.Contains("Registry:MaxIdxFileMb", labels.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes were allocated");
        Assert.Equal(3, IdxImages.Read(new MemoryStream(Gzip(ImageFile(3, 28, 28))), limit).Count);
    }

    [Fact]
    public void A_truncated_file_says_how_much_the_header_promised_and_how_much_came()
    {
        var file = ImageFile(10, 28, 28)[..^1000];

        var plain = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(file)));
        var gzipped = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(Gzip(file))));

        Assert.Equal("The IDX file is truncated: its header declares 10 images of 28x28 (7840 bytes), but only 6840 bytes follow.", plain.Message);
        Assert.Equal("The IDX file is truncated: its header declares 10 images of 28x28 (7840 bytes), but the decompressed data ends after 6840 bytes.", gzipped.Message);
    }

    [Fact]
    public void Bytes_beyond_what_the_header_declares_are_refused()
    {
        byte[] file = [.. ImageFile(2, 2, 2), 1, 2, 3];

        var plain = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(file)));
        var gzipped = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(Gzip(file))));

        Assert.Equal("The IDX file has 3 bytes after the 2 images of 2x2 (8 bytes) its header declares.", plain.Message);
        Assert.Equal("The IDX file holds more data after the 2 images of 2x2 (8 bytes) its header declares.", gzipped.Message);
    }

    [Fact]
    public void Zero_rows_or_columns_are_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(Header(0x803, 10, 0, 28))));

        Assert.Equal("The IDX header declares 10 images of 0x28 (0 bytes); every size after the count must be at least 1.", e.Message);
    }

    [Fact]
    public void A_huge_declared_size_is_refused_before_allocating_it()
    {
        var tooMany = Header(0x803, 100_000, 1000, 1000);
        var beyondInt = Header(0x803, 0xFFFF_FFFF, 28, 28);
        _ = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(tooMany)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(tooMany)));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("The IDX header declares 100000 images of 1000x1000 (100000000000 bytes), more than one .NET array can hold.", e.Message);
        Assert.True(allocated < 100_000, $"{allocated} bytes were allocated");
        Assert.Equal(
            "The IDX header declares size 4294967295 for dimension 0, more than this reader supports (2^31-1).",
            Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(beyondInt))).Message);
    }

    [Fact]
    public void A_plain_file_declaring_more_than_it_holds_is_refused_before_allocating()
    {
        // 2,000,000,000 bytes declared, 16 present: the file length shows the lie without reading.
        var file = Header(0x803, 2000, 1000, 1000);
        _ = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(file)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(file)));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        Assert.EndsWith("but only 0 bytes follow.", e.Message);
    }

    [Theory]
    [InlineData(0, "The IDX file is truncated: it holds 0 bytes, fewer than its 4-byte magic number.")]
    [InlineData(3, "The IDX file is truncated: it holds 3 bytes, fewer than its 4-byte magic number.")]
    [InlineData(9, "The IDX file is truncated: it ends within its header (9 of 16 bytes).")]
    public void A_file_cut_within_its_header_is_refused(int length, string message)
    {
        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(ImageFile(1, 2, 2)[..length])));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Corrupt_gzip_data_is_reported_as_such()
    {
        var gzip = Gzip(ImageFile(50, 10, 10));
        for (var i = 20; i < 40; i++)
        {
            gzip[i] ^= 0x5A;
        }

        var e = Assert.Throws<InvalidImageException>(() => IdxImages.Read(new MemoryStream(gzip)));

        Assert.StartsWith("The gzip data of the IDX file is corrupt", e.Message);
    }

    /// <summary>
    /// The real Fashion-MNIST test set from the Debian package dataset-fashion-mnist, which ./test.sh installs with
    /// apt-get when it is missing; run `apt-get install dataset-fashion-mnist` to run this test on its own.
    /// </summary>
    [Fact]
    public void The_Fashion_MNIST_test_set_reads_as_10000_images_of_28x28_with_1000_labels_per_class()
    {
        const string Dataset = "/usr/share/datasets/fashion-mnist";
        Assert.True(Directory.Exists(Dataset), $"{Dataset} is missing: install the Debian package dataset-fashion-mnist (./test.sh does).");

        var images = IdxImages.Load(Path.Combine(Dataset, "t10k-images-idx3-ubyte.gz"));
        var labels = IdxLabels.Load(Path.Combine(Dataset, "t10k-labels-idx1-ubyte.gz"));

        Assert.Equal((10_000, 28, 28), (images.Count, images.Rows, images.Columns));
        Assert.Equal(10_000, labels.Count);
        Assert.All(labels.Values.ToArray().CountBy(l => l), c => Assert.Equal(1000, c.Value));
        Assert.Equal(Enumerable.Range(0, 10).Select(l => (byte)l), labels.Values.ToArray().Distinct().Order());

        // The first item is an ankle boot (class 9); checksums computed with Python's gzip module.
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], labels.Values[..10].ToArray());
        var first = images.GetImage(0);
        Assert.Equal(33456, first.Pixels.Sum(p => p));
        long total = 0;
        for (var i = 0; i < images.Count; i++)
        {
            foreach (var p in images.GetPixels(i))
            {
                total += p;
            }
        }

        Assert.Equal(573_469_082, total);
    }

    private static byte[] Pixels(int index, int size) => [.. Enumerable.Range(0, size).Select(i => (byte)((index * 31) + (i * 7)))];

    private static byte[] ImageFile(int count, int rows, int columns)
    {
        var data = new List<byte>(Header(0x803, (uint)count, (uint)rows, (uint)columns));
        for (var i = 0; i < count; i++)
        {
            data.AddRange(Pixels(i, rows * columns));
        }

        return [.. data];
    }

    private static byte[] Header(uint magic, params uint[] sizes)
    {
        var header = new byte[4 + (4 * sizes.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        for (var d = 0; d < sizes.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + (4 * d)), sizes[d]);
        }

        return header;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private string Write(string name, byte[] data)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, data);
        return path;
    }
}
