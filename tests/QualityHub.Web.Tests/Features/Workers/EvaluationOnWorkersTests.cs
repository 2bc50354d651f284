using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Inference.Engine;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Workers;

/// <summary>
/// With Inference:Workers set, the portal's evaluations run on the worker, not in its own process: the demo CNN's run on
/// the 2,000-image subset gives torch's answers, names the worker and its device, and leaves the portal's engine empty.
/// </summary>
public sealed class EvaluationOnWorkersTests : IAsyncLifetime
{
    private readonly TempFolder folder = new("qualityhub-web-workers-");
    private DemoCnnWorker worker = null!;

    public async Task InitializeAsync() => worker = await DemoCnnWorker.StartAsync(folder);

    public async Task DisposeAsync()
    {
        await worker.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task A_run_on_a_worker_answers_as_torch_did_and_names_the_worker_and_its_device()
    {
        var data = Directory.CreateDirectory(folder.File("data")).FullName;
        await using var factory = new ConfiguredQualityHubFactory(data, loadDemoContent: true, evaluateDemoModels: false, new Dictionary<string, string>
        {
            ["Inference:Workers:0"] = $"unix:{worker.Socket}",
            ["Inference:WorkerKey"] = DemoCnnWorker.Key,
        });
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        var client = factory.CreateClient();
        var run = await EvaluationRuns.RunDemoCnnAsync(client);

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.StartsWith($"worker unix:{worker.Socket} (CPU: ", run.GetProperty("ranOn").GetString());
        var (_, correct) = TorchReference.Of("fashion-cnn-v1");
        var predictions = await EvaluationRuns.PredictionsAsync(client, run.GetProperty("id").GetInt32());
        Assert.Equal(2000, predictions.Count);
        Assert.Equal(correct, predictions.Count(p => p.GetProperty("correct").GetBoolean()));
        Assert.Empty(factory.Services.GetRequiredService<InferenceEngine>().Snapshot().Models); // nothing ran in the portal

        // The engine panel's source shows the worker, its device and the session it holds (described in the background).
        JsonElement described = default;
        for (var tries = 0; tries < 100; tries++)
        {
            described = (await client.GetFromJsonAsync<JsonElement>("/api/engine")).GetProperty("workers")[0];
            if (described.GetProperty("models").GetArrayLength() > 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal($"unix:{worker.Socket}", described.GetProperty("address").GetString());
        Assert.True(described.GetProperty("up").GetBoolean());
        Assert.StartsWith("CPU: ", described.GetProperty("device").GetString());
        Assert.EndsWith("/fashion-cnn-v1", described.GetProperty("models")[0].GetProperty("name").GetString());
    }
}
