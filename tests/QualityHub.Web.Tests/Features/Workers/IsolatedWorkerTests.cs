using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data.Content;
using QualityHub.Inference.Engine;
using QualityHub.Web.Features.Demo;
using QualityHub.Worker;

namespace QualityHub.Web.Tests.Features.Workers;

/// <summary>
/// Inference:Isolation=process: the portal starts its own worker (this build's web app, started again as a worker) and
/// runs every model there. The demo CNN's run gives the same predictions in process, through the isolated worker and
/// through a listed worker; the operating system holds the isolated worker to Inference:WorkerMemoryMb.
/// </summary>
public sealed class IsolatedWorkerTests : IDisposable
{
    private readonly TempFolder folder = new("qualityhub-web-isolated-");

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task The_demo_run_gives_the_same_predictions_in_process_through_the_isolated_worker_and_through_a_listed_worker()
    {
        var inProcess = await DemoRunAsync("in-process", new Dictionary<string, string>());
        var isolated = await DemoRunAsync("isolated", new Dictionary<string, string> { ["Inference:Isolation"] = "process" });

        await using var worker = await DemoCnnWorker.StartAsync(folder);
        var listed = await DemoRunAsync("listed", new Dictionary<string, string> { ["Inference:Workers:0"] = $"unix:{worker.Socket}", ["Inference:WorkerKey"] = DemoCnnWorker.Key });

        Assert.Null(inProcess.RanOn); // the portal's own engine
        Assert.StartsWith("worker unix:/tmp/qualityhub-", isolated.RanOn, StringComparison.Ordinal);
        Assert.StartsWith($"worker unix:{worker.Socket} (CPU: ", listed.RanOn, StringComparison.Ordinal);
        var (_, correct) = TorchReference.Of("fashion-cnn-v1");
        foreach (var run in new[] { inProcess, isolated, listed })
        {
            Assert.Equal(2000, run.Predictions.Count);
            Assert.Equal(correct, run.Predictions.Values.Count(p => p.Correct));
        }

        foreach (var (ordinal, expected) in inProcess.Predictions)
        {
            foreach (var other in new[] { isolated, listed })
            {
                var actual = other.Predictions[ordinal];
                Assert.Equal(expected.Output, actual.Output);
                Assert.Equal(expected.TopK, actual.TopK);
                Assert.Equal(expected.Confidence, actual.Confidence, 1e-6);
            }
        }
    }

    [Fact]
    public async Task The_isolated_worker_is_held_to_its_memory_limit_by_the_operating_system_and_the_portal_is_not()
    {
        var data = Directory.CreateDirectory(folder.File("memory")).FullName;
        await using var factory = new ConfiguredQualityHubFactory(data, loadDemoContent: false, evaluateDemoModels: false, new Dictionary<string, string>
        {
            ["Inference:Isolation"] = "process",
            ["Inference:WorkerMemoryMb"] = "384",
            ["Inference:Provider"] = "Cpu",
        });
        var client = factory.CreateClient();
        var own = factory.Services.GetRequiredService<IsolatedWorker>();
        await own.WaitUntilServingAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var limits = await File.ReadAllLinesAsync($"/proc/{own.State.ProcessId}/limits");
        var dataLimit = limits.Single(l => l.StartsWith("Max data size", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((384L * 1024 * 1024).ToString(CultureInfo.InvariantCulture), dataLimit[3]); // soft limit
        Assert.Equal(dataLimit[3], dataLimit[4]); // and hard: the worker cannot raise it
        var portalLimits = await File.ReadAllLinesAsync("/proc/self/limits");
        Assert.Contains(portalLimits, l => l.StartsWith("Max data size", StringComparison.Ordinal) && l.Contains("unlimited", StringComparison.Ordinal));

        // 1 GiB while it runs, in a worker allowed 384 MiB: refused for this request, with the reason.
        var store = factory.Services.GetRequiredService<ContentStore>();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        var hungry = await store.PutAsync(TestOnnxModels.MemoryHungry(64L * 1024 * 1024));
        var spec = new ModelSpec(hungry.Sha256, store.PathOf(hungry.Sha256), "tests/memory-hungry");
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => pool.InferAsync(spec, [1, 2, 3, 4], [4]));
        Assert.Contains("ran out of memory on this worker", refused.Message, StringComparison.Ordinal);

        // The worker serves on, and so does the portal.
        var relu = await store.PutAsync(TestOnnxModels.Relu());
        var answer = await pool.InferAsync(new ModelSpec(relu.Sha256, store.PathOf(relu.Sha256), "tests/relu"), [-1, 2, -3, 4], [4]);
        Assert.Equal(new[] { 0f, 2f, 0f, 4f }, answer.Outputs[0].Data);
        Assert.Equal(1, own.State.Starts);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    private sealed record Predicted(string? Output, double Confidence, bool Correct, string TopK);

    private sealed record DemoRun(string? RanOn, Dictionary<int, Predicted> Predictions);

    // The demo CNN's run on the 2,000-image subset in a portal configured so; its predictions by sample ordinal.
    private async Task<DemoRun> DemoRunAsync(string name, Dictionary<string, string> settings)
    {
        var data = Directory.CreateDirectory(folder.File(name)).FullName;
        await using var factory = new ConfiguredQualityHubFactory(data, loadDemoContent: true, evaluateDemoModels: false, settings);
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        var client = factory.CreateClient();
        var run = await EvaluationRuns.RunDemoCnnAsync(client);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var predictions = await EvaluationRuns.PredictionsAsync(client, run.GetProperty("id").GetInt32());
        return new DemoRun(run.TryGetProperty("ranOn", out var ranOn) ? ranOn.GetString() : null, predictions.ToDictionary(
            p => p.GetProperty("ordinal").GetInt32(),
            p => new Predicted(p.GetProperty("output").GetString(), p.GetProperty("confidence").GetDouble(), p.GetProperty("correct").GetBoolean(),
                string.Join(",", p.GetProperty("topK").EnumerateArray().Select(s => s.GetProperty("label").GetString())))));
    }
}
