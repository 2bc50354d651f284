using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Models;

/// <summary>The registry API on a fresh install: the demo content, registering models, importing datasets, bad input.</summary>
public sealed class RegistryApiTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();

    public async Task InitializeAsync() => await factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_fresh_install_lists_the_demo_modules_models_and_datasets_with_ids_modules_and_licences()
    {
        var modules = await client.GetFromJsonAsync<JsonElement>("/api/modules");
        var models = await client.GetFromJsonAsync<JsonElement>("/api/models");
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");

        Assert.Contains(modules.EnumerateArray(), m => m.GetProperty("name").GetString() == DemoContentLoader.CardTextModule);
        Assert.Contains(modules.EnumerateArray(), m => m.GetProperty("name").GetString() == DemoContentLoader.FashionModule);
        var ocr = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "pp-ocrv4-rec");
        Assert.True(ocr.GetProperty("id").GetInt32() > 0);
        Assert.Equal(DemoContentLoader.CardTextModule, ocr.GetProperty("module").GetString());
        Assert.Equal("TextRecognition", ocr.GetProperty("taskType").GetString());
        var cards = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "card-text-test");
        Assert.Equal("CC0-1.0", cards.GetProperty("licence").GetProperty("id").GetString());
        Assert.Equal(400, cards.GetProperty("samples").GetInt32());
    }

    [Fact]
    public async Task The_Fashion_MNIST_demo_has_three_candidates_with_cards_and_a_balanced_2000_image_subset()
    {
        var models = await client.GetFromJsonAsync<JsonElement>("/api/models");
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");

        // Other tests of this class register more versions of the module on the shared app ("bench-…", "edit-…").
        var fashion = models.EnumerateArray().Where(m => m.GetProperty("module").GetString() == DemoContentLoader.FashionModule)
            .Where(m => !m.GetProperty("name").GetString()!.StartsWith("bench-", StringComparison.Ordinal) && !m.GetProperty("name").GetString()!.StartsWith("edit-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["fashion-cnn-v1", "fashion-linear-v1", "fashion-mlp-v1"], fashion.Select(m => m.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        foreach (var model in fashion)
        {
            var detail = await client.GetFromJsonAsync<JsonElement>($"/api/models/{model.GetProperty("id").GetInt32()}");
            Assert.Contains("\"task\": \"image-classification\"", detail.GetProperty("modelCardJson").GetString());
            Assert.Contains("Measured accuracy", detail.GetProperty("notes").GetString());
        }

        var subset = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "fashion-mnist-test-2000");
        Assert.Equal(2000, subset.GetProperty("samples").GetInt32());
        Assert.Equal("MIT", subset.GetProperty("licence").GetProperty("id").GetString());
        var detailOfSubset = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{subset.GetProperty("id").GetInt32()}");
        var labelCounts = detailOfSubset.GetProperty("labelCounts").EnumerateArray().ToList();
        Assert.Equal(10, labelCounts.Count);
        Assert.All(labelCounts, c => Assert.Equal(200, c.GetProperty("count").GetInt32()));
        Assert.Equal("T-shirt/top", labelCounts[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_dataset_pages_its_samples_and_serves_their_images()
    {
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");
        var id = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "card-text-test").GetProperty("id").GetInt32();

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{id}");
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{id}/samples?skip=10&take=5");

        Assert.Contains(detail.GetProperty("kinds").EnumerateArray(), k => k.GetProperty("name").GetString() == "rotated" && k.GetProperty("count").GetInt32() > 0);
        Assert.Equal(400, page.GetProperty("total").GetInt32());
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(5, items.Count);
        Assert.Equal(10, items[0].GetProperty("ordinal").GetInt32());
        var image = await client.GetAsync("/" + items[0].GetProperty("imageUrl").GetString());
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0x89, (await image.Content.ReadAsByteArrayAsync())[0]);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/datasets/{id}/samples?take=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/datasets/999999/samples")).StatusCode);
    }

    [Fact]
    public async Task Asked_for_inline_images_a_page_of_samples_carries_each_small_png_as_a_data_url()
    {
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");
        var id = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "fashion-mnist-test-2000").GetProperty("id").GetInt32();

        var plain = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{id}/samples?skip=0&take=3");
        var inline = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/{id}/samples?skip=0&take=3&inline=true");

        Assert.All(plain.GetProperty("items").EnumerateArray(), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("imageData").ValueKind));
        foreach (var item in inline.GetProperty("items").EnumerateArray())
        {
            var data = item.GetProperty("imageData").GetString()!;
            Assert.StartsWith("data:image/png;base64,", data);
            var served = await client.GetByteArrayAsync("/" + item.GetProperty("imageUrl").GetString());
            Assert.Equal(served, Convert.FromBase64String(data["data:image/png;base64,".Length..]));
        }
    }

    [Fact]
    public async Task A_model_uploaded_as_multipart_is_registered_and_described()
    {
        using var form = Upload(RepositoryFiles.Path("data", "bench", "cnn-fashion-sized.onnx"), DemoContentLoader.FashionModule, $"bench-{Guid.NewGuid():N}");

        var response = await client.PostAsync("/api/models", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal("image-classification", created.GetProperty("card").GetProperty("task").GetString());
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/models/{id}");
        Assert.Equal("pixels", detail.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal(DemoContentLoader.FashionModule, detail.GetProperty("summary").GetProperty("module").GetString());
    }

    [Fact]
    public async Task A_card_is_confirmed_or_edited_and_a_status_changed_while_bad_ones_change_nothing()
    {
        using var form = Upload(RepositoryFiles.Path("data", "bench", "cnn-fashion-sized.onnx"), DemoContentLoader.FashionModule, $"edit-{Guid.NewGuid():N}");
        var id = (await (await client.PostAsync("/api/models", form)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        const string edited = """{ "task": "image-classification", "input": { "width": 28, "height": 28, "mean": [0.286], "std": [0.353] }, "labels": ["a","b","c","d","e","f","g","h","i","j"] }""";

        var saved = await client.PutAsync($"/api/models/{id}/card", new StringContent(edited));
        var refused = await client.PutAsync($"/api/models/{id}/card", new StringContent("""{ "task": "image-classification", "input": { "width": 28, "height": 28, "channels": 7 } }"""));
        var released = await client.PutAsJsonAsync($"/api/models/{id}/status", new { status = "Released" });
        var retired = await client.PutAsJsonAsync($"/api/models/{id}/status", new { status = "Retired" });
        var badStatus = await client.PutAsJsonAsync($"/api/models/{id}/status", new { status = "shipped" });
        var missing = await client.PutAsync("/api/models/999999/card", new StringContent(edited));

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("input.channels", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, released.StatusCode); // only an approved release makes a version released
        Assert.Contains("Only an approved release", await released.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, retired.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/models/{id}");
        Assert.Contains("\"labels\": [\n    \"a\"", detail.GetProperty("modelCardJson").GetString()!.ReplaceLineEndings("\n"));
        Assert.Equal("Retired", detail.GetProperty("summary").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_uploads_are_refused_with_problem_details_and_register_nothing()
    {
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/models")).GetArrayLength();
        var text = Path.GetTempFileName();
        await File.WriteAllTextAsync(text, "not a model at all");
        try
        {
            using var notOnnx = Upload(text, DemoContentLoader.FashionModule, "not-onnx");
            using var unknownModule = Upload(text, "no-such-module", "x");
            var corrupt = await client.PostAsync("/api/models", notOnnx);
            var noModule = await client.PostAsync("/api/models", unknownModule);
            var notMultipart = await client.PostAsync("/api/models", JsonContent.Create(new { module = "x" }));
            using var fileFirst = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "m.onnx" } };
            var missingFields = await client.PostAsync("/api/models", fileFirst);

            Assert.Equal(HttpStatusCode.UnprocessableEntity, corrupt.StatusCode);
            Assert.Contains("not an ONNX model", await corrupt.Content.ReadAsStringAsync());
            Assert.Equal("file", (await corrupt.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noModule.StatusCode);
            Assert.Equal("module", (await noModule.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
            Assert.False((await missingFields.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("field", out _));
            Assert.Equal(HttpStatusCode.BadRequest, notMultipart.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, missingFields.StatusCode);
            Assert.Contains("must come before the file", await missingFields.Content.ReadAsStringAsync());
            Assert.All(new[] { corrupt, noModule, notMultipart, missingFields }, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
            Assert.Equal(before, (await client.GetFromJsonAsync<JsonElement>("/api/models")).GetArrayLength());
        }
        finally
        {
            File.Delete(text);
        }
    }

    [Fact]
    public async Task A_dataset_import_with_unknown_labels_lists_every_problem_and_registers_nothing()
    {
        // Importing from server paths reads only inside Registry:ImportRoots, off by default: an app of its own allows this folder.
        var folder = Directory.CreateTempSubdirectory("qualityhub-import-").FullName;
        var data = Directory.CreateTempSubdirectory("qualityhub-web-").FullName;
        var app = new ConfiguredQualityHubFactory(data, loadDemoContent: false, evaluateDemoModels: false, new Dictionary<string, string> { ["Registry:ImportRoots:0"] = folder });
        try
        {
            var client = app.CreateClient();
            await File.WriteAllBytesAsync(Path.Combine(folder, "a.png"), Inference.Imaging.PngEncoder.Encode(new Inference.Imaging.Image(2, 2, 1)));
            await File.WriteAllTextAsync(Path.Combine(folder, "labels.csv"), "file,label\na.png,cat\na.png,unicorn\nb.png,cat\n");
            var body = new { name = $"pets-{Guid.NewGuid():N}", licenceId = "CC-BY-4.0", format = "folder", folder, csv = Path.Combine(folder, "labels.csv"), labels = new[] { "cat", "dog" } };

            var refused = await client.PostAsJsonAsync("/api/datasets/import", body);
            await File.WriteAllTextAsync(Path.Combine(folder, "labels.csv"), "file,label\na.png,cat\na.png,dog\n");
            var accepted = await client.PostAsJsonAsync("/api/datasets/import", body);
            var badFormat = await client.PostAsJsonAsync("/api/datasets/import", body with { });

            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(2, problem.GetProperty("issues").GetArrayLength());
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            Assert.Equal(2, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("samples").GetInt32());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, badFormat.StatusCode); // the same name again
            var unknownFormat = await client.PostAsJsonAsync("/api/datasets/import", new { name = "x", licenceId = "MIT", format = "tar" });
            Assert.Equal(HttpStatusCode.BadRequest, unknownFormat.StatusCode);
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(folder, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    private static MultipartFormDataContent Upload(string path, string module, string version)
    {
        var file = new StreamContent(File.OpenRead(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent
        {
            { new StringContent(module), "module" },
            { new StringContent(version), "version" },
            { file, "file", Path.GetFileName(path) },
        };
    }
}
