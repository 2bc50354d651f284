using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Tests.Registry;

public class ModelRegistryTests
{
    private static readonly string TinyClassifier = RepositoryFiles.Path("tests", "QualityHub.Inference.Tests", "Models", "tiny-classifier.onnx");
    private static readonly string BenchCnn = RepositoryFiles.Path("data", "bench", "cnn-fashion-sized.onnx");

    private static async Task<ModelImportResult> RegisterAsync(RegistryFixture fixture, string path, string version, string module = "fashion", string? card = null)
    {
        await using var file = File.OpenRead(path);
        return await fixture.Storage.Get<ModelRegistry>().ImportAsync(new ModelImportRequest(module, version, Path.GetFileName(path), ModelCardJson: card), file);
    }

    [Fact]
    public async Task A_model_is_stored_by_hash_and_described_from_its_file()
    {
        await using var fixture = await RegistryFixture.CreateAsync();

        var result = await RegisterAsync(fixture, TinyClassifier, "tiny-v1");

        var version = result.Version;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(TinyClassifier))), version.Sha256);
        Assert.True(fixture.Storage.Get<ContentStore>().Contains(version.Sha256));
        Assert.Equal(15, version.ParameterCount); // W 4×3 + b 3
        Assert.Equal(17, version.Opset);
        Assert.StartsWith("qualityhub-tools", version.Producer);
        Assert.Equal(ModelStatus.Candidate, version.Status);
        Assert.Equal("pixels", Assert.Single(result.Info.Inputs).Name);
        Assert.Null(result.Card); // [batch, 4] is not an image: no card proposed, and the reason is given
        Assert.Contains("image input", result.CardProblem);
    }

    [Fact]
    public async Task An_image_classifier_gets_a_card_proposed()
    {
        await using var fixture = await RegistryFixture.CreateAsync();

        var result = await RegisterAsync(fixture, BenchCnn, "cnn-v1");

        Assert.NotNull(result.Card);
        Assert.Equal(ModelTask.ImageClassification, result.Card.Task);
        Assert.Equal((28, 28, 1), (result.Card.Input.Width, result.Card.Input.Height, result.Card.Input.Channels));
        Assert.Equal(10, result.Card.Labels.Count);
        Assert.Equal(result.Card.ToJson(), ModelCard.Parse(result.Version.ModelCardJson!).ToJson());
    }

    [Fact]
    public async Task The_same_file_twice_is_one_blob()
    {
        await using var fixture = await RegistryFixture.CreateAsync();

        var first = await RegisterAsync(fixture, TinyClassifier, "tiny-v1");
        var second = await RegisterAsync(fixture, TinyClassifier, "tiny-v1-again");

        Assert.Equal(first.Version.Sha256, second.Version.Sha256);
        var blobs = Directory.EnumerateFiles(Path.Combine(fixture.DataDirectory, "store"), "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".part", StringComparison.Ordinal)).ToList();
        Assert.Single(blobs);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("png")]
    [InlineData("truncated")]
    public async Task A_file_that_is_not_a_whole_ONNX_model_is_refused_and_the_registry_is_untouched(string kind)
    {
        await using var fixture = await RegistryFixture.CreateAsync();
        await RegisterAsync(fixture, TinyClassifier, "existing");
        var bytes = kind switch
        {
            "text" => "just some notes"u8.ToArray(),
            "png" => Inference.Imaging.PngEncoder.Encode(new Inference.Imaging.Image(4, 4, 1)),
            _ => (await File.ReadAllBytesAsync(BenchCnn))[..400_000],
        };
        var registry = fixture.Storage.Get<ModelRegistry>();

        var error = await Assert.ThrowsAsync<RegistrationException>(() =>
            registry.ImportAsync(new ModelImportRequest("fashion", "broken", "upload.onnx"), new MemoryStream(bytes)));

        Assert.Contains("upload.onnx cannot be registered", error.Message);
        await using var db = await fixture.Storage.CreateContextAsync();
        Assert.Equal(["existing"], await db.ModelVersions.Select(v => v.Name).ToListAsync());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(fixture.DataDirectory, "store"), "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("external-data", "tensor 'w' keeps its data in a separate file (ONNX external data)")]
    [InlineData("unknown-operator", "ONNX Runtime cannot load it: ")]
    [InlineData("cycle", "the graph is not acyclic")]
    public async Task A_model_ONNX_Runtime_cannot_load_by_itself_is_refused_before_anything_is_stored(string kind, string reason)
    {
        await using var fixture = await RegistryFixture.CreateAsync();
        await RegisterAsync(fixture, TinyClassifier, "existing");
        var model = kind switch
        {
            "external-data" => TestOnnxModels.ExternalWeights(),
            "unknown-operator" => TestOnnxModels.UnknownOperator(),
            _ => TestOnnxModels.Cycle(),
        };
        var registry = fixture.Storage.Get<ModelRegistry>();

        var error = await Assert.ThrowsAsync<RegistrationException>(() =>
            registry.ImportAsync(new ModelImportRequest("fashion", "hostile", "hostile.onnx"), new MemoryStream(model)));

        Assert.StartsWith("hostile.onnx cannot be registered: ", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain(fixture.DataDirectory, error.Message);
        Assert.Equal("file", error.Field);
        await using var db = await fixture.Storage.CreateContextAsync();
        Assert.Equal(["existing"], await db.ModelVersions.Select(v => v.Name).ToListAsync());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(fixture.DataDirectory, "store"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_model_that_loads_is_registered_whatever_produced_it()
    {
        await using var fixture = await RegistryFixture.CreateAsync();
        var registry = fixture.Storage.Get<ModelRegistry>();

        var result = await registry.ImportAsync(new ModelImportRequest("fashion", "relu", "relu.onnx"), new MemoryStream(TestOnnxModels.Relu()));

        Assert.Equal("qualityhub-tests", result.Version.Producer);
        Assert.True(fixture.Storage.Get<ContentStore>().Contains(result.Version.Sha256));
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_refused_while_streaming()
    {
        await using var fixture = await RegistryFixture.CreateAsync(new Dictionary<string, string?> { ["Registry:MaxUploadMb"] = "0" });

        var error = await Assert.ThrowsAsync<RegistrationException>(() => RegisterAsync(fixture, TinyClassifier, "too-big"));

        Assert.Contains("larger than", error.Message);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(fixture.DataDirectory, "store"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Unknown_modules_duplicate_versions_and_bad_cards_are_refused()
    {
        await using var fixture = await RegistryFixture.CreateAsync();
        await RegisterAsync(fixture, TinyClassifier, "v1");

        Assert.Contains("no module 'nope'", (await Assert.ThrowsAsync<RegistrationException>(() => RegisterAsync(fixture, TinyClassifier, "v2", module: "nope"))).Message);
        Assert.Contains("already has a version 'v1'", (await Assert.ThrowsAsync<RegistrationException>(() => RegisterAsync(fixture, TinyClassifier, "v1"))).Message);
        Assert.Contains("input.channels", (await Assert.ThrowsAsync<RegistrationException>(() =>
            RegisterAsync(fixture, BenchCnn, "v3", card: """{ "task": "image-classification", "input": { "width": 28, "height": 28, "channels": 5 } }"""))).Message);
    }
}
