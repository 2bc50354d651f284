using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;
using SkiaSharp;

namespace QualityHub.Data.Tests.Registry;

public sealed class DatasetImporterTests : IAsyncLifetime
{
    private static readonly string[] Clothes = ["T-shirt", "Trouser", "Bag"];
    private readonly TempFolder input = new();
    private RegistryFixture fixture = null!;

    private DatasetImporter Importer => fixture.Storage.Get<DatasetImporter>();

    private static DatasetImportRequest Request(string name = "clothes", params string[] labels) => new()
    {
        Name = name,
        ModuleName = "fashion",
        LicenceId = "MIT",
        CommercialUseAllowed = true,
        Attribution = "Test images",
        Labels = labels.Length > 0 ? labels : Clothes,
    };

    private static byte[] Png(byte value, int size = 4)
    {
        var image = new Image(size, size, 1);
        Array.Fill(image.Pixels, value);
        return PngEncoder.Encode(image);
    }

    private async Task<int> DatasetCountAsync()
    {
        await using var db = await fixture.Storage.CreateContextAsync();
        return await db.Datasets.CountAsync();
    }

    [Fact]
    public async Task IDX_images_and_labels_become_samples_named_by_the_label_set()
    {
        var (images, labels) = WriteIdx(input.Path, [0, 2, 1, 2], gzip: true);

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromIdx(images, labels));

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        await using var db = await fixture.Storage.CreateContextAsync();
        var samples = await db.Samples.Where(s => s.DatasetId == result.Dataset!.Id).OrderBy(s => s.Ordinal).ToListAsync();
        Assert.Equal(["T-shirt", "Bag", "Trouser", "Bag"], samples.Select(s => s.GroundTruth));
        Assert.All(samples, s => Assert.Equal((3, 2), (s.Width, s.Height)));
        await using var stored = fixture.Storage.Get<ContentStore>().OpenRead(samples[1].ImageSha256);
        Assert.Equal(21, PngDecoder.Decode(stored).Pixels[0]); // image 1's first pixel, as written below
        Assert.Equal(Clothes, (await db.Datasets.SingleAsync()).Labels);
    }

    [Fact]
    public async Task An_IDX_label_outside_the_label_set_is_reported_and_nothing_is_registered()
    {
        var (images, labels) = WriteIdx(input.Path, [0, 7, 1], gzip: false);

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromIdx(images, labels));

        Assert.False(result.Succeeded);
        Assert.Equal("image 1: label 7 is outside the 3 labels given", Assert.Single(result.Issues).ToString());
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task A_folder_with_a_labels_CSV_imports_labels_and_tags()
    {
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "a.png"), Png(10));
        Directory.CreateDirectory(Path.Combine(input.Path, "sub"));
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "sub", "b.png"), Png(20));
        var csv = Path.Combine(input.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "file,label,tags\na.png,Bag,rotated;shadow\n\"sub/b.png\",Trouser,\n");

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromFolder(input.Path, csv));

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        await using var db = await fixture.Storage.CreateContextAsync();
        var samples = await db.Samples.OrderBy(s => s.Ordinal).ToListAsync();
        Assert.Equal(["rotated", "shadow"], samples[0].Tags);
        Assert.Equal("Trouser", samples[1].GroundTruth);
    }

    [Fact]
    public async Task Every_bad_row_of_a_CSV_is_reported_not_just_the_first_and_nothing_is_registered()
    {
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "good.png"), Png(10));
        await File.WriteAllTextAsync(Path.Combine(input.Path, "fake.png"), "not a png");
        var csv = Path.Combine(input.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "file,label\ngood.png,Bag\ngood.png,Hat\nmissing.png,Bag\nfake.png,Bag\n../../etc/passwd,Bag\n/etc/passwd,Bag\n");

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromFolder(input.Path, csv));

        Assert.False(result.Succeeded);
        var issues = result.Issues.Select(i => i.ToString()).ToList();
        Assert.Equal(5, issues.Count);
        Assert.Contains(issues, i => i.StartsWith("labels.csv line 3 (good.png): label 'Hat' is not one of", StringComparison.Ordinal));
        Assert.Contains(issues, i => i.Contains("'missing.png' does not exist"));
        Assert.Contains(issues, i => i.Contains("fake.png") && i.Contains("not a readable image"));
        Assert.Contains(issues, i => i.Contains("climbs out"));
        Assert.Contains(issues, i => i.Contains("absolute path"));
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task A_zip_with_labels_csv_imports()
    {
        var zip = Path.Combine(input.Path, "set.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "images/one.png", Png(1));
            Add(archive, "images/two.png", Png(2));
            Add(archive, "labels.csv", "file,label\nimages/one.png,Bag\nimages/two.png,T-shirt\n"u8.ToArray());
        }

        using var source = DatasetSource.FromZip(zip);
        var result = await Importer.ImportAsync(Request(), source);

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        Assert.Equal(2, result.Items);
    }

    [Fact]
    public async Task A_zip_of_JPEG_and_WebP_images_imports_whatever_the_file_names_and_stores_each_as_PNG()
    {
        var zip = Path.Combine(input.Path, "photos.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "images/one.jpg", Encoded(SKEncodedImageFormat.Jpeg, 8, 6, gray: true));
            Add(archive, "images/two.JPEG", Encoded(SKEncodedImageFormat.Jpeg, 5, 7, gray: false));
            Add(archive, "images/three.webp", Encoded(SKEncodedImageFormat.Webp, 3, 2, gray: false));
            Add(archive, "images/four", Encoded(SKEncodedImageFormat.Jpeg, 4, 4, gray: false));
            Add(archive, "labels.csv", "file,label\nimages/one.jpg,Bag\nimages/two.JPEG,T-shirt\nimages/three.webp,Bag\nimages/four,Trouser\n"u8.ToArray());
        }

        using var source = DatasetSource.FromZip(zip);
        var result = await Importer.ImportAsync(Request(), source);

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        await using var db = await fixture.Storage.CreateContextAsync();
        var samples = await db.Samples.OrderBy(s => s.Ordinal).ToListAsync();
        Assert.Equal([(8, 6), (5, 7), (3, 2), (4, 4)], samples.Select(s => (s.Width, s.Height)));
        var store = fixture.Storage.Get<ContentStore>();
        var stored = samples.Select(s => File.ReadAllBytes(store.PathOf(s.ImageSha256))).ToList();
        Assert.All(stored, bytes => Assert.True(ImageDecoder.IsPng(bytes)));
        Assert.Equal(1, PngDecoder.Decode(stored[0]).Channels); // a gray JPEG stays gray
        Assert.Equal(3, PngDecoder.Decode(stored[1]).Channels);
    }

    [Fact]
    public async Task A_truncated_JPEG_in_a_zip_is_reported_by_item_and_nothing_is_registered()
    {
        var jpeg = Encoded(SKEncodedImageFormat.Jpeg, 64, 64, gray: false);
        var zip = Path.Combine(input.Path, "cut.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "good.jpg", jpeg);
            Add(archive, "cut.jpg", jpeg[..(jpeg.Length - 100)]);
            Add(archive, "labels.csv", "file,label\ngood.jpg,Bag\ncut.jpg,Bag\n"u8.ToArray());
        }

        using var source = DatasetSource.FromZip(zip);
        var result = await Importer.ImportAsync(Request(), source);

        Assert.False(result.Succeeded);
        var issue = Assert.Single(result.Issues).ToString();
        Assert.StartsWith("labels.csv line 3 (cut.jpg): not a readable image: The Jpeg image is truncated", issue, StringComparison.Ordinal);
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task A_labels_CSV_with_a_byte_order_mark_imports_from_a_zip_and_from_a_folder()
    {
        var withBom = "\uFEFFfile,label\nimages/one.png,Bag\n"u8.ToArray();
        var zip = Path.Combine(input.Path, "bom.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "images/one.png", Png(1));
            Add(archive, "labels.csv", withBom);
        }

        Directory.CreateDirectory(Path.Combine(input.Path, "images"));
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "images", "one.png"), Png(1));
        var csv = Path.Combine(input.Path, "labels.csv");
        await File.WriteAllBytesAsync(csv, withBom);

        using (var source = DatasetSource.FromZip(zip))
        {
            var fromZip = await Importer.ImportAsync(Request("from-zip"), source);
            Assert.True(fromZip.Succeeded, string.Join("; ", fromZip.Issues));
        }

        var fromFolder = await Importer.ImportAsync(Request("from-folder"), DatasetSource.FromFolder(input.Path, csv));
        Assert.True(fromFolder.Succeeded, string.Join("; ", fromFolder.Issues));
        Assert.Equal(2, await DatasetCountAsync());
    }

    [Fact]
    public async Task Quoted_CSV_cells_keep_commas_quotes_and_line_breaks_and_later_rows_are_named_by_their_own_line()
    {
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "a, b.png"), Png(10));
        var csv = Path.Combine(input.Path, "labels.csv");
        // The second record spans lines 3 and 4; the bad label after it is on line 5.
        await File.WriteAllTextAsync(csv, "file,label,tags\n\"a, b.png\",\"Bag \"\"big\"\"\",rotated\n\"a, b.png\",Trouser,\"shadow;\nblur\"\n\"a, b.png\",Hat\n");

        var result = await Importer.ImportAsync(Request("quoted", "Bag \"big\"", "Trouser"), DatasetSource.FromFolder(input.Path, csv));

        Assert.False(result.Succeeded);
        Assert.StartsWith("labels.csv line 5 (a, b.png): label 'Hat' is not one of", Assert.Single(result.Issues).ToString(), StringComparison.Ordinal);

        await File.WriteAllTextAsync(csv, "file,label,tags\n\"a, b.png\",\"Bag \"\"big\"\"\",rotated\n\"a, b.png\",Trouser,\"shadow;\nblur\"\n");
        result = await Importer.ImportAsync(Request("quoted", "Bag \"big\"", "Trouser"), DatasetSource.FromFolder(input.Path, csv));

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        await using var db = await fixture.Storage.CreateContextAsync();
        var samples = await db.Samples.OrderBy(s => s.Ordinal).ToListAsync();
        Assert.Equal(["Bag \"big\"", "Trouser"], samples.Select(s => s.GroundTruth));
        Assert.Equal(["shadow", "blur"], samples[1].Tags);
    }

    [Fact]
    public async Task A_CSV_with_broken_quoting_is_refused_naming_its_line_and_nothing_is_registered()
    {
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "a.png"), Png(10));
        var csv = Path.Combine(input.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "file,label\na.png,Bag\na.png,\"Bag\"x\n");

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromFolder(input.Path, csv));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Issues, i => i.Item == "labels.csv line 3" && i.Problem.Contains("closing quote", StringComparison.Ordinal));
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task A_CSV_row_without_a_label_names_the_missing_field()
    {
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "a.png"), Png(10));
        var csv = Path.Combine(input.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "file,label\na.png,Bag\n\na.png\n");

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromFolder(input.Path, csv));

        Assert.Equal("labels.csv line 4: needs at least file and label: the label field is missing", Assert.Single(result.Issues).ToString());
    }

    [Fact]
    public async Task A_zip_with_labels_jsonl_imports_text_lines_and_reports_each_bad_line()
    {
        var zip = Path.Combine(input.Path, "lines.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "images/0001.png", Png(3, 8));
            Add(archive, "images/0002.png", Png(4, 8));
            Add(archive, "labels.jsonl", """
                {"image": "images/0001.png", "text": "12/29", "tags": ["embossed"]}
                {"image": "images/0002.png", "text": "4111 1111"}
                """u8.ToArray());
        }

        var bad = Path.Combine(input.Path, "bad-lines.zip");
        using (var archive = ZipFile.Open(bad, ZipArchiveMode.Create))
        {
            Add(archive, "images/0001.png", Png(3, 8));
            Add(archive, "labels.jsonl", "{\"image\": \"images/0001.png\", \"text\": \"ok\"}\n{\"image\": \"images/missing.png\", \"text\": \"x\"}\n"u8.ToArray());
        }

        var textRequest = Request("zipped-lines") with { ModuleName = "card-text", TaskType = TaskType.TextRecognition, Labels = [] };
        using var source = DatasetSource.FromZip(zip);
        var imported = await Importer.ImportAsync(textRequest, source);
        using var badSource = DatasetSource.FromZip(bad);
        var refused = await Importer.ImportAsync(textRequest with { Name = "zipped-bad" }, badSource);

        Assert.True(imported.Succeeded, string.Join("; ", imported.Issues));
        await using (var db = await fixture.Storage.CreateContextAsync())
        {
            var samples = await db.Samples.OrderBy(s => s.Ordinal).ToListAsync();
            Assert.Equal(["12/29", "4111 1111"], samples.Select(s => s.GroundTruth));
            Assert.Equal(["embossed"], samples[0].Tags);
        }

        Assert.Equal("labels.jsonl line 2 (images/missing.png): 'images/missing.png' is not in the zip", Assert.Single(refused.Issues).ToString());
        Assert.Equal(1, await DatasetCountAsync());
    }

    [Fact]
    public async Task IDX_files_without_a_label_set_are_refused_with_one_issue_not_one_per_image()
    {
        var (images, labels) = WriteIdx(input.Path, [0, 1, 2, 1], gzip: false);

        var result = await Importer.ImportAsync(Request() with { Labels = [] }, DatasetSource.FromIdx(images, labels));

        var issue = Assert.Single(result.Issues);
        Assert.Equal("labels", issue.Item);
        Assert.Equal(1, result.IssueCount);
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task Problems_beyond_the_listed_thousand_are_still_counted()
    {
        var (images, labels) = WriteIdx(input.Path, Enumerable.Repeat((byte)9, 1200).Append((byte)0).ToArray(), gzip: false);

        var result = await Importer.ImportAsync(Request(), DatasetSource.FromIdx(images, labels));

        Assert.Equal(DatasetImporter.MaxIssuesReported, result.Issues.Count);
        Assert.Equal(1200, result.IssueCount);
        Assert.Equal(1201, result.Items);
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task Zip_entries_that_climb_out_or_inflate_enormously_stop_the_import_before_anything_is_read()
    {
        var zip = Path.Combine(input.Path, "hostile.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            Add(archive, "../outside.png", Png(1));
            Add(archive, "bomb.png", new byte[32 * 1024 * 1024]); // 32 MiB of zeros deflate to a few KiB
            Add(archive, "labels.csv", "file,label\nbomb.png,Bag\n"u8.ToArray());
        }

        using var source = DatasetSource.FromZip(zip);
        var result = await Importer.ImportAsync(Request(), source);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Issues, i => i.Item == "zip entry ../outside.png" && i.Problem.Contains("climbs out"));
        Assert.Contains(result.Issues, i => i.Item == "zip entry bomb.png" && i.Problem.Contains("zip bomb"));
        Assert.Equal(0, result.Items);
        Assert.Equal(0, await DatasetCountAsync());
    }

    [Fact]
    public async Task JSONL_text_lines_import_with_their_tags_and_bad_lines_are_each_reported()
    {
        Directory.CreateDirectory(Path.Combine(input.Path, "images"));
        await File.WriteAllBytesAsync(Path.Combine(input.Path, "images", "0001.png"), Png(5, 8));
        var good = Path.Combine(input.Path, "labels.jsonl");
        await File.WriteAllTextAsync(good, """
            {"image": "images/0001.png", "text": "4111 1111 1111 1111", "tags": ["printed", "blur"]}
            """);
        var textRequest = Request("card-lines") with { ModuleName = "card-text", TaskType = TaskType.TextRecognition, Labels = [] };

        var ok = await Importer.ImportAsync(textRequest, DatasetSource.FromJsonl(good));
        var bad = Path.Combine(input.Path, "bad.jsonl");
        await File.WriteAllTextAsync(bad, "{\"image\": \"images/0001.png\"}\nnot json\n{\"image\": \"/etc/shadow\", \"text\": \"x\"}\n");
        var refused = await Importer.ImportAsync(textRequest with { Name = "bad-lines" }, DatasetSource.FromJsonl(bad));

        Assert.True(ok.Succeeded, string.Join("; ", ok.Issues));
        await using (var db = await fixture.Storage.CreateContextAsync())
        {
            var sample = await db.Samples.SingleAsync();
            Assert.Equal("4111 1111 1111 1111", sample.GroundTruth);
            Assert.Equal(["printed", "blur"], sample.Tags);
        }

        Assert.Equal(3, refused.Issues.Count);
        Assert.Contains(refused.Issues, i => i.Problem.Contains("\"text\""));
        Assert.Contains(refused.Issues, i => i.Problem.StartsWith("not a JSON object", StringComparison.Ordinal));
        Assert.Contains(refused.Issues, i => i.Problem.Contains("absolute path"));
    }

    [Fact]
    public async Task A_taken_name_a_missing_licence_and_an_unknown_module_are_refused_up_front()
    {
        var (images, labels) = WriteIdx(input.Path, [0], gzip: false);
        await Importer.ImportAsync(Request("taken"), DatasetSource.FromIdx(images, labels));

        var result = await Importer.ImportAsync(Request("taken") with { LicenceId = " ", ModuleName = "nope" }, DatasetSource.FromIdx(images, labels));

        Assert.Equal(["licence", "module", "name"], result.Issues.Select(i => i.Item).Order(StringComparer.Ordinal));
        Assert.Equal(1, await DatasetCountAsync());
    }

    [Fact]
    public async Task A_cancelled_import_registers_nothing()
    {
        var (images, labels) = WriteIdx(input.Path, Enumerable.Repeat((byte)1, 600).ToArray(), gzip: false);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Importer.ImportAsync(Request(), DatasetSource.FromIdx(images, labels), new SynchronousProgress(cancel), cancel.Token));

        Assert.Equal(0, await DatasetCountAsync());
    }

    // Cancels as soon as 250 items are done, on the importer's own thread.
    private sealed class SynchronousProgress(CancellationTokenSource cancel) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (value.Done >= 250)
            {
                cancel.Cancel();
            }
        }
    }

    // A noisy picture, so the JPEG's scan data is long enough to cut; gray encodes a one-channel JPEG.
    private static byte[] Encoded(SKEncodedImageFormat format, int width, int height, bool gray)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque));
        var random = new Random(width * height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }

        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    private static void Add(ZipArchive archive, string name, byte[] content)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
        stream.Write(content);
    }

    /// <summary>IDX files of 3×2 images whose first pixel is 10·(index+1)+1 and the given labels.</summary>
    private static (string Images, string Labels) WriteIdx(string folder, byte[] labels, bool gzip)
    {
        var images = new List<byte>();
        images.AddRange(BigEndian(0x00000803));
        images.AddRange(BigEndian(labels.Length));
        images.AddRange(BigEndian(2));
        images.AddRange(BigEndian(3));
        for (var i = 0; i < labels.Length; i++)
        {
            images.Add((byte)(10 * (i + 1) + 1));
            images.AddRange(new byte[5]);
        }

        var labelBytes = new List<byte>();
        labelBytes.AddRange(BigEndian(0x00000801));
        labelBytes.AddRange(BigEndian(labels.Length));
        labelBytes.AddRange(labels);
        var imagesPath = Path.Combine(folder, gzip ? "images.idx.gz" : "images.idx");
        var labelsPath = Path.Combine(folder, gzip ? "labels.idx.gz" : "labels.idx");
        Write(imagesPath, images.ToArray(), gzip);
        Write(labelsPath, labelBytes.ToArray(), gzip);
        return (imagesPath, labelsPath);
    }

    private static void Write(string path, byte[] bytes, bool gzip)
    {
        using var file = File.Create(path);
        using Stream target = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        target.Write(bytes);
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    public async Task InitializeAsync() => fixture = await RegistryFixture.CreateAsync();

    public async Task DisposeAsync()
    {
        await fixture.DisposeAsync();
        input.Dispose();
    }
}
