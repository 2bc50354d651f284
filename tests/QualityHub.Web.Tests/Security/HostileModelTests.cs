using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QualityHub.Inference.Imaging;
using static QualityHub.Web.Tests.Support.DatasetUploads;

namespace QualityHub.Web.Tests.Security;

/// <summary>
/// POST /api/models registers a model only once ONNX Runtime has loaded it from its own file: external data, unknown
/// operators, cycles, absurd shapes and bytes that are not ONNX are 422 with the reason and leave nothing behind; and
/// an ONNX Runtime error a user sees names the model, never a path on the server.
/// </summary>
public sealed class HostileModelTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>, IAsyncLifetime
{
    private const string Module = "hostile-models";
    private readonly HttpClient client = factory.CreateClient();

    public static TheoryData<string, string> Hostile => new()
    {
        { "external-data", "tensor 'w' keeps its data in a separate file (ONNX external data)" },
        { "external-data-outside", "tensor 'w' keeps its data in a separate file (ONNX external data)" },
        { "unknown-operator", "No Op registered for NoSuchOp" },
        { "cycle", "the graph is not acyclic" },
        { "absurd-initializer", "declares a size of 160000000000 bytes" },
        { "not-onnx", "not an ONNX model" },
    };

    public async Task InitializeAsync()
    {
        var modules = await client.GetFromJsonAsync<JsonElement>("/api/modules");
        if (!modules.EnumerateArray().Any(m => m.GetProperty("name").GetString() == Module))
        {
            var added = await client.PostAsJsonAsync("/api/modules", new { name = Module, taskType = "ImageClassification", inputDescription = "image", outputDescription = "class" });
            added.EnsureSuccessStatusCode();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_model_is_422_with_the_reason_and_leaves_no_version_and_no_file(string kind, string reason)
    {
        // A file where relative external data would find it, had the model been opened in the store.
        Directory.CreateDirectory(StoreFolder);
        await File.WriteAllBytesAsync(Path.Combine(StoreFolder, "weights.bin"), new byte[16]);
        var modelsBefore = await ModelCountAsync();
        var storeBefore = StoreFiles();
        var model = kind switch
        {
            "external-data" => TestOnnxModels.ExternalWeights(),
            "external-data-outside" => TestOnnxModels.ExternalWeights("../../../../etc/hostname"),
            "unknown-operator" => TestOnnxModels.UnknownOperator(),
            "cycle" => TestOnnxModels.Cycle(),
            "absurd-initializer" => TestOnnxModels.AbsurdInitializer(),
            _ => "just some notes, not a model"u8.ToArray(),
        };

        var response = await UploadAsync(model, $"{kind}-{Guid.NewGuid():N}", "mine.onnx");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith("mine.onnx cannot be registered: ", detail);
        Assert.Contains(reason, detail);
        Assert.DoesNotContain(factory.DataDirectory, detail);
        Assert.Equal("file", problem.GetProperty("field").GetString());
        Assert.Equal(modelsBefore, await ModelCountAsync());
        Assert.Equal(storeBefore, StoreFiles());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task A_model_ONNX_Runtime_loads_is_still_201()
    {
        var modelsBefore = await ModelCountAsync();

        var response = await UploadAsync(TestOnnxModels.Relu(), $"relu-{Guid.NewGuid():N}", "relu.onnx");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(modelsBefore + 1, await ModelCountAsync());
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    [Fact]
    public async Task An_ONNX_Runtime_error_a_user_sees_names_the_model_and_not_the_data_directory()
    {
        // A registered model whose stored file no longer loads (changed on disk, or registered before models were checked).
        var version = $"changed-{Guid.NewGuid():N}";
        var bench = await File.ReadAllBytesAsync(RepositoryFiles.Path("data", "bench", "cnn-fashion-sized.onnx"));
        byte[] ownBytes = [.. bench, 0xA0, 0x06, 0x01]; // an unknown field appended: a blob no other test shares
        var created = await UploadAsync(ownBytes, version, "cnn.onnx");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var registered = await created.Content.ReadFromJsonAsync<JsonElement>();
        var sha256 = registered.GetProperty("sha256").GetString()!;
        await File.WriteAllBytesAsync(Path.Combine(StoreFolder, sha256[..2], sha256[2..]), TestOnnxModels.Cycle());

        var response = await client.PostAsJsonAsync("/api/compare", new
        {
            modelVersionIds = new[] { registered.GetProperty("id").GetInt32() },
            imagePngBase64 = Convert.ToBase64String(PngEncoder.Encode(new Image(28, 28, 1))),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("error").GetString()!;
        Assert.Contains("the graph is not acyclic", error);
        Assert.Contains($"{Module}/{version}", error);
        Assert.DoesNotContain(factory.DataDirectory, error);
        Assert.DoesNotContain(sha256[2..], error);
    }

    private string StoreFolder => Path.Combine(factory.DataDirectory, "store");

    private async Task<HttpResponseMessage> UploadAsync(byte[] model, string version, string fileName)
    {
        using var form = Form(new Dictionary<string, string> { ["module"] = Module, ["version"] = version }, ("file", fileName, model));
        return await client.PostAsync("/api/models", form);
    }

    private async Task<int> ModelCountAsync() => (await client.GetFromJsonAsync<JsonElement>("/api/models")).GetArrayLength();

    private List<string> StoreFiles() =>
        [.. Directory.EnumerateFiles(StoreFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
