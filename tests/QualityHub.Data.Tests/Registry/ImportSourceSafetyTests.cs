using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using QualityHub.Core.Domain;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Tests.Registry;

/// <summary>
/// What the import sources refuse to read: files past their size limits (checked before reading, named by the setting),
/// images outside the folder or not regular files; and what their refusals never say: a file's content.
/// </summary>
public sealed class ImportSourceSafetyTests : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;
    private readonly TempFolder input = new();
    private RegistryFixture fixture = null!;

    private DatasetImporter Importer => fixture.Storage.Get<DatasetImporter>();

    private static DatasetImportRequest Request(string name = "pets") => new() { Name = name, LicenceId = "MIT", Labels = ["cat", "dog"] };

    private static DatasetImportRequest TextRequest(string name = "lines") =>
        new() { Name = name, LicenceId = "MIT", ModuleName = "card-text", TaskType = TaskType.TextRecognition };

    private static byte[] Png() => PngEncoder.Encode(new Image(2, 2, 1));

    [Fact]
    public void A_labels_CSV_past_the_limit_is_refused_naming_the_setting()
    {
        var csv = input.File("labels.csv");
        File.WriteAllText(csv, "file,label\n" + string.Concat(Enumerable.Repeat("a.png,cat\n", 220_000))); // about 2.1 MiB

        var e = Assert.Throws<InvalidDataException>(() => DatasetSource.FromFolder(input.Path, csv, new RegistryOptions { MaxLabelsFileMb = 1 }));

        Assert.Equal($"{csv} is 2.1 MiB, more than the 1 MiB (Registry:MaxLabelsFileMb) allowed.", e.Message);
    }

    [Fact]
    public void A_sparse_3_GiB_JSONL_file_is_refused_by_its_length_without_being_read()
    {
        var jsonl = SpecialFiles.Sparse(input.File("huge.jsonl"), 3L << 30);
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<InvalidDataException>(() => DatasetSource.FromJsonl(jsonl));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < MiB, "the file was read");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal($"{jsonl} is 3,072 MiB, more than the 64 MiB (Registry:MaxLabelsFileMb) allowed.", e.Message);
    }

    [Fact]
    public void Labels_in_a_zip_past_the_limit_are_refused_from_their_declared_size()
    {
        var zip = input.File("big-labels.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "labels.csv", new byte[2 * MiB]);
        }

        var e = Assert.Throws<InvalidDataException>(() => DatasetSource.FromZip(zip, new RegistryOptions { MaxLabelsFileMb = 1 }));

        Assert.Equal("labels.csv is 2 MiB, more than the 1 MiB (Registry:MaxLabelsFileMb) allowed.", e.Message);
    }

    [Fact]
    public async Task An_image_file_past_the_limit_is_an_issue_naming_the_setting_in_a_folder_and_in_a_zip()
    {
        var limits = new RegistryOptions { MaxImageFileMb = 1 };
        await File.WriteAllBytesAsync(input.File("big.png"), [.. Png(), .. new byte[2 * MiB]]);
        await File.WriteAllTextAsync(input.File("labels.csv"), "file,label\nbig.png,cat\n");
        var zip = input.File("big.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "big.png", [.. Png(), .. new byte[2 * MiB]]);
            Add(archive, "labels.csv", "file,label\nbig.png,cat\n"u8.ToArray());
        }

        var fromFolder = await Importer.ImportAsync(Request("folder"), DatasetSource.FromFolder(input.Path, input.File("labels.csv"), limits));
        using var zipped = DatasetSource.FromZip(zip, limits);
        var fromZip = await Importer.ImportAsync(Request("zip"), zipped);

        Assert.Equal("labels.csv line 2 (big.png): 'big.png' is 2 MiB, more than the 1 MiB (Registry:MaxImageFileMb) allowed.", Assert.Single(fromFolder.Issues).ToString());
        Assert.Equal("labels.csv line 2 (big.png): big.png is 2 MiB, more than the 1 MiB (Registry:MaxImageFileMb) allowed.", Assert.Single(fromZip.Issues).ToString());
    }

    [Fact]
    public void Gzipped_IDX_data_past_the_limit_is_refused_from_its_header_naming_the_file_and_the_setting()
    {
        var images = input.File("images.gz");
        WriteGzip(images, Header(0x803, 2000, 28, 28)); // 1,568,000 bytes declared
        var labels = input.File("labels.gz");
        WriteGzip(labels, [.. Header(0x801, 1), 0]);

        var e = Assert.Throws<InvalidImageException>(() => DatasetSource.FromIdx(new ImportFile(images, "images (sets/images.gz)"), labels, new RegistryOptions { MaxIdxFileMb = 1 }));

        Assert.Equal("images (sets/images.gz): The IDX header declares 2000 images of 28x28 (1568000 bytes), more than the 1 MiB (Registry:MaxIdxFileMb) allowed.", e.Message);
    }

    [Fact]
    public void A_text_file_read_as_IDX_is_refused_without_quoting_its_bytes_and_a_missing_file_without_its_path()
    {
        var passwd = input.File("passwd");
        File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/bash\n");

        var notIdx = Assert.Throws<InvalidImageException>(() => DatasetSource.FromIdx(new ImportFile(passwd, "images (passwd)"), passwd));
        var missing = Assert.Throws<ImportFileException>(() => DatasetSource.FromIdx(new ImportFile(input.File("nope"), "images (nope)"), passwd));

        Assert.Equal("images (passwd): Not an IDX image file: its magic number is wrong (an IDX image file starts with 0x00000803).", notIdx.Message);
        Assert.Equal("images (nope) cannot be read: it does not exist.", missing.Message);
    }

    [Fact]
    public async Task Folder_images_that_leave_the_folder_through_a_link_or_are_not_regular_files_are_refused_unread()
    {
        using var outside = new TempFolder();
        await File.WriteAllBytesAsync(outside.File("secret.png"), Png());
        await File.WriteAllBytesAsync(input.File("a.png"), Png());
        File.CreateSymbolicLink(input.File("inside-link.png"), input.File("a.png"));
        File.CreateSymbolicLink(input.File("out.png"), outside.File("secret.png"));
        Directory.CreateSymbolicLink(input.File("dir-out"), outside.Path);
        File.CreateSymbolicLink(input.File("zero.png"), "/dev/zero");
        SpecialFiles.Fifo(input.File("fifo.png"));
        Directory.CreateDirectory(input.File("sub.png"));
        await File.WriteAllTextAsync(input.File("labels.csv"),
            "file,label\na.png,cat\ninside-link.png,dog\nout.png,cat\ndir-out/secret.png,cat\nzero.png,cat\nfifo.png,cat\nsub.png,cat\n");

        var import = Importer.ImportAsync(Request(), DatasetSource.FromFolder(input.Path, input.File("labels.csv")));
        var result = await import.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(
            [
                "labels.csv line 4 (out.png): 'out.png' leads out of the folder through a symbolic link; only files inside the import are allowed",
                "labels.csv line 5 (dir-out/secret.png): 'dir-out/secret.png' leads out of the folder through a symbolic link; only files inside the import are allowed",
                "labels.csv line 6 (zero.png): 'zero.png' leads out of the folder through a symbolic link; only files inside the import are allowed",
                "labels.csv line 7 (fifo.png): 'fifo.png' is not a regular file (a device, FIFO or socket); only regular files are read",
                "labels.csv line 8 (sub.png): 'sub.png' is a folder, not an image file",
            ],
            result.Issues.Select(i => i.ToString()));
    }

    [Fact]
    public async Task A_JSONL_line_that_is_not_a_JSON_object_is_reported_by_position_without_its_content()
    {
        var jsonl = input.File("lines.jsonl");
        await File.WriteAllTextAsync(jsonl, "Zebra:x:0:0\n[1, 2]\n\"quoted Secret\"\n{\"image\": \"a.png\", \"text\": Wombat}\n");

        var result = await Importer.ImportAsync(TextRequest(), DatasetSource.FromJsonl(jsonl));

        Assert.Equal(
            [
                "lines.jsonl line 1: not a JSON object: invalid JSON at byte 1",
                "lines.jsonl line 2: not a JSON object but a JSON array",
                "lines.jsonl line 3: not a JSON object but a JSON string",
                "lines.jsonl line 4: not a JSON object: invalid JSON at byte 28",
            ],
            result.Issues.Select(i => i.ToString()));
    }

    [Fact]
    public async Task A_CSV_with_broken_quoting_is_reported_by_line_without_its_content()
    {
        var csv = input.File("labels.csv");
        await File.WriteAllTextAsync(csv, "file,label\na.png,\"Bag\"Secret\n");

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromFolder(input.Path, csv));

        var issue = Assert.Single(result.Issues, i => i.Item == "labels.csv line 2");
        Assert.DoesNotContain("Secret", issue.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Bag", issue.Problem, StringComparison.Ordinal);
    }

    private static void Add(ZipArchive archive, string name, byte[] content)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
        stream.Write(content);
    }

    private static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
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

    public async Task InitializeAsync() => fixture = await RegistryFixture.CreateAsync();

    public async Task DisposeAsync()
    {
        await fixture.DisposeAsync();
        input.Dispose();
    }
}
