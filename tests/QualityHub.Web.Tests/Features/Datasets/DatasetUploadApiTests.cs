using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using QualityHub.Data.Registry;
using static QualityHub.Web.Tests.Support.DatasetUploads;

namespace QualityHub.Web.Tests.Features.Datasets;

/// <summary>POST /api/datasets/upload: archives in, datasets or reasons out, and never a file left behind.</summary>
public sealed class DatasetUploadApiTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    private async Task<int> DatasetCountAsync() => (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).GetArrayLength();

    [Fact]
    public async Task A_zip_with_a_labels_CSV_becomes_a_dataset_with_its_licence_labels_and_kinds()
    {
        var name = $"pets-{Guid.NewGuid():N}";
        using var form = Form(Fields(name), ("zip", "pets.zip", PetsZip(6)));

        var response = await client.PostAsync("/api/datasets/upload", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(6, created.GetProperty("samples").GetInt32());
        var detail = await client.GetFromJsonAsync<JsonElement>(response.Headers.Location!.ToString());
        var summary = detail.GetProperty("summary");
        Assert.Equal(name, summary.GetProperty("name").GetString());
        Assert.Equal("Train", summary.GetProperty("split").GetString());
        Assert.Equal("CC-BY-4.0", summary.GetProperty("licence").GetProperty("id").GetString());
        Assert.True(summary.GetProperty("licence").GetProperty("commercialUseAllowed").GetBoolean());
        Assert.Equal(["cat", "dog"], summary.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(2, detail.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("name").GetString() == "rotated").GetProperty("count").GetInt32());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task A_gzip_IDX_pair_becomes_a_dataset_named_by_its_label_set()
    {
        var folder = RepositoryFiles.Path("data", "demo", "fashion-mnist");
        var fields = Fields($"fashion-{Guid.NewGuid():N}", string.Join(",", FashionMnist.Labels));
        fields["split"] = "Test";
        using var form = Form(
            fields,
            ("images", "test-2000-images-idx3-ubyte.gz", await File.ReadAllBytesAsync(Path.Combine(folder, "test-2000-images-idx3-ubyte.gz"))),
            ("labelsFile", "test-2000-labels-idx1-ubyte.gz", await File.ReadAllBytesAsync(Path.Combine(folder, "test-2000-labels-idx1-ubyte.gz"))));

        var response = await client.PostAsync("/api/datasets/upload", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var detail = await client.GetFromJsonAsync<JsonElement>(response.Headers.Location!.ToString());
        Assert.Equal(2000, detail.GetProperty("summary").GetProperty("samples").GetInt32());
        Assert.All(detail.GetProperty("labelCounts").EnumerateArray(), c => Assert.Equal(200, c.GetProperty("count").GetInt32()));
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task Bad_rows_are_each_reported_with_their_count_and_nothing_is_registered()
    {
        var before = await DatasetCountAsync();
        using var form = Form(Fields($"bad-{Guid.NewGuid():N}"), ("zip", "pets.zip", PetsZip(4, "images/0.png,unicorn,\nimages/404.png,cat,\n../escape.png,dog,\n")));

        var response = await client.PostAsync("/api/datasets/upload", form);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, problem.GetProperty("issueCount").GetInt32());
        var issues = problem.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("problem").GetString()!).ToList();
        Assert.Contains(issues, p => p.StartsWith("label 'unicorn' is not one of", StringComparison.Ordinal));
        Assert.Contains(issues, p => p.Contains("'images/404.png' is not in the zip"));
        Assert.Contains(issues, p => p.Contains("climbs out"));
        Assert.Equal(before, await DatasetCountAsync());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task A_missing_licence_an_unknown_module_and_a_taken_name_are_422_with_issues()
    {
        var name = $"taken-{Guid.NewGuid():N}";
        using var first = Form(Fields(name), ("zip", "pets.zip", PetsZip()));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/datasets/upload", first)).StatusCode);
        var fields = Fields(name);
        fields["licenceId"] = "";
        fields["moduleName"] = "no-such-module";
        using var second = Form(fields, ("zip", "pets.zip", PetsZip()));

        var response = await client.PostAsync("/api/datasets/upload", second);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["licence", "module", "name"], problem.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("item").GetString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("not-a-zip", "Upload unusable")]
    [InlineData("zip-without-labels", "neither labels.csv nor labels.jsonl")]
    [InlineData("zip-and-idx", "not both")]
    [InlineData("no-file", "not both and not neither")]
    [InlineData("unknown-part", "Unexpected file part")]
    [InlineData("unknown-split", "'split' is one of Train, Test, OnlineSample")]
    [InlineData("bad-boolean", "'commercialUseAllowed' is true or false")]
    [InlineData("bad-idx", "IDX")]
    public async Task Unusable_uploads_are_400_with_the_reason_and_leave_nothing(string kind, string reason)
    {
        var before = await DatasetCountAsync();
        var fields = Fields($"unusable-{Guid.NewGuid():N}");
        var zip = PetsZip();
        (string, string, byte[])[] files = kind switch
        {
            "not-a-zip" => [("zip", "pets.zip", "PK but not really"u8.ToArray())],
            "zip-without-labels" => [("zip", "pets.zip", Zip(("a.png", Png(1))))],
            "zip-and-idx" => [("zip", "pets.zip", zip), ("images", "i.gz", [1]), ("labelsFile", "l.gz", [2])],
            "no-file" => [],
            "unknown-part" => [("archive", "pets.zip", zip)],
            "bad-idx" => [("images", "images.idx", [0, 0, 8, 3, 0]), ("labelsFile", "labels.idx", [0, 0, 8, 1, 0, 0, 0, 0])],
            _ => [("zip", "pets.zip", zip)],
        };
        if (kind == "unknown-split")
        {
            fields["split"] = "validation";
        }
        else if (kind == "bad-boolean")
        {
            fields["commercialUseAllowed"] = "maybe";
        }

        using var form = Form(fields, files);
        var response = await client.PostAsync("/api/datasets/upload", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await DatasetCountAsync());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task A_field_past_64_KiB_is_400_without_being_read_to_its_end()
    {
        var fields = Fields($"long-{Guid.NewGuid():N}");
        fields["attribution"] = new string('x', 5_000_000);
        using var form = Form(fields, ("zip", "pets.zip", PetsZip()));

        var response = await client.PostAsync("/api/datasets/upload", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Field 'attribution' is over 64 KiB.", await response.Content.ReadAsStringAsync());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task A_request_that_is_not_multipart_is_400()
    {
        var response = await client.PostAsJsonAsync("/api/datasets/upload", new { name = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("multipart/form-data", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_whether_its_length_is_declared_or_found_while_streaming()
    {
        using var limited = factory.WithWebHostBuilder(builder => builder.UseSetting("Registry:MaxDatasetUploadMb", "1"));
        using var http = limited.CreateClient();
        var big = Zip(("labels.csv", "file,label\n"u8.ToArray()), ("noise.bin", RandomBytes(1_500_000)));
        using var declared = Form(Fields($"big-{Guid.NewGuid():N}"), ("zip", "big.zip", big));
        using var chunked = Form(Fields($"big-{Guid.NewGuid():N}"));
        var unknownLength = new StreamContent(new UnknownLengthStream(big));
        unknownLength.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        chunked.Add(unknownLength, "zip", "big.zip");

        using var streamed = new HttpRequestMessage(HttpMethod.Post, "/api/datasets/upload") { Content = chunked };
        streamed.Headers.TransferEncodingChunked = true;

        var refusedAtOnce = await http.PostAsync("/api/datasets/upload", declared);
        var refusedWhileStreaming = await http.SendAsync(streamed);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refusedAtOnce.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refusedWhileStreaming.StatusCode);
        Assert.Contains("Registry:MaxDatasetUploadMb", await refusedWhileStreaming.Content.ReadAsStringAsync());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(4).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A body whose length nobody knows beforehand, so it goes out chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
