using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Tests.Tasks;

/// <summary>
/// The shipped demo classifiers, run through our whole path (IDX reader, model card, pre-processing, batching
/// engine, softmax/top-k) on the 2,000-image demo subset, give exactly the answers the training script recorded
/// with torch (data/demo/models/fashion-torch-reference.json): an independent check of every stage.
/// </summary>
public sealed class DemoClassifierTests : IAsyncLifetime
{
    private readonly InferenceEngine engine = new(Options.Create(new InferenceOptions { Provider = ProviderPreference.Cpu, MaxBatchSize = 64, MaxBatchDelayMs = 5 }), NullLogger<InferenceEngine>.Instance);

    [Theory]
    [InlineData("fashion-linear-v1")]
    [InlineData("fashion-mlp-v1")]
    [InlineData("fashion-cnn-v1")]
    public async Task A_demo_classifier_answers_every_subset_image_as_torch_did(string name)
    {
        var models = RepositoryFiles.Path("data", "demo", "models");
        var card = ModelCard.Load(Path.Combine(models, $"{name}.card.json"));
        using var reference = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(models, "fashion-torch-reference.json")));
        var expected = reference.RootElement.GetProperty("models").GetProperty(name);
        var expectedTop1 = expected.GetProperty("subsetTop1").GetString()!;
        var images = IdxImages.Load(RepositoryFiles.Path("data", "demo", "fashion-mnist", "test-2000-images-idx3-ubyte.gz"));
        var labels = IdxLabels.Load(RepositoryFiles.Path("data", "demo", "fashion-mnist", "test-2000-labels-idx1-ubyte.gz"));
        var runner = new ModelTaskRunner(engine);
        var spec = new ModelSpec(name, Path.Combine(models, $"{name}.onnx"), name);

        var results = await Task.WhenAll(Enumerable.Range(0, images.Count).Select(i => runner.RunAsync(spec, card, images.GetImage(i))));

        var top1 = string.Concat(results.Select(r => r.TopK[0].Index.ToString()));
        Assert.Equal(expectedTop1, top1);
        var correct = results.Where((r, i) => r.TopK[0].Index == labels[i]).Count();
        Assert.Equal(expected.GetProperty("subsetCorrect").GetInt32(), correct);
        Assert.Contains(results, r => r.Timing.BatchSize > 1);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await engine.DisposeAsync();
}
