using System.Net.Http.Json;
using System.Text.Json;
using QualityHub.Worker;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// A portal and two `qualityhub worker` processes on one machine: the workers fetch the model from the portal by content
/// hash, an evaluation runs on one of them, that worker is killed with SIGKILL half-way, and the run completes on the
/// other with exactly one prediction per sample, naming both workers; the portal serves on throughout.
/// </summary>
public sealed class WorkerFailoverTests
{
    private const string Key = "browser-tests-worker-key-2026";

    [Fact]
    public async Task An_evaluation_whose_worker_is_killed_half_way_completes_on_the_other_with_one_prediction_per_sample()
    {
        using var folder = new TempFolder("qualityhub-workers-");
        await using var deployment = await PortalWithTwoWorkers.StartAsync(folder, new Dictionary<string, string>
        {
            ["Inference__WorkerRetrySeconds"] = "300",
            ["Evaluation__WriteBatch"] = "10",
            ["Evaluation__InFlight"] = "1",
        });
        var (app, first, second, http) = (deployment.App, deployment.First, deployment.Second, deployment.Http);

        var runId = await TeamDeployment.StartRecognizerRunAsync(http);
        async Task<JsonElement> RunAsync() => await http.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}");
        async Task<int> DoneAsync() => (await RunAsync()).GetProperty("progress").GetProperty("done").GetInt32();
        await TeamDeployment.WaitAsync(async () => await DoneAsync() >= 40, () => $"the run did not get going:\n{TeamDeployment.Tail(app.Output)}\n{first.Output}\n{second.Output}");
        var holders = new List<WorkerProcess>();
        foreach (var worker in new[] { first, second })
        {
            using var client = new WorkerClient(worker.Address, Key);
            if ((await client.DescribeAsync(TimeSpan.FromSeconds(30))).Models.Count > 0)
            {
                holders.Add(worker);
            }
        }

        // Lines of open width go one at a time, several in flight: the pool spreads them, so both may hold the model by now.
        Assert.NotEmpty(holders);
        var killed = holders[0];
        var survivor = killed == first ? second : first;
        var doneWhenKilled = await DoneAsync();
        killed.Kill();

        await TeamDeployment.WaitAsync(async () => (await RunAsync()).GetProperty("status").GetString() == "completed",
            () => $"the run did not complete on the other worker; the portal logged:\n{TeamDeployment.Tail(app.Output)}{TeamDeployment.Tail(app.Errors)}\nsurvivor:\n{survivor.Output}",
            TimeSpan.FromMinutes(3));
        var run = await RunAsync();
        Assert.InRange(doneWhenKilled, 40, 399); // killed half-way, not after the end
        Assert.False(app.HasExited);
        Assert.False(survivor.HasExited);
        var predictions = await TeamDeployment.PredictionsAsync(http, runId);

        Assert.Equal(400, predictions.Count);
        Assert.Equal(400, predictions.Select(p => p.GetProperty("sampleId").GetInt64()).Distinct().Count());
        Assert.DoesNotContain(predictions, p => p.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String);
        var ranOn = run.GetProperty("ranOn").GetString()!;
        Assert.Contains($"worker {killed.Address} (CPU: ", ranOn, StringComparison.Ordinal);
        Assert.Contains($"worker {survivor.Address} (CPU: ", ranOn, StringComparison.Ordinal);
        Assert.Contains("is marked down", app.Output, StringComparison.Ordinal);
        using var survivorClient = new WorkerClient(survivor.Address, Key);
        Assert.Single((await survivorClient.DescribeAsync(TimeSpan.FromSeconds(30))).Models);
    }

    [Fact]
    public async Task A_comparison_across_versions_runs_on_both_worker_processes_and_answers_as_torch_did()
    {
        using var folder = new TempFolder("qualityhub-workers-");
        await using var deployment = await PortalWithTwoWorkers.StartAsync(folder, new Dictionary<string, string>());
        var (app, first, second, http) = (deployment.App, deployment.First, deployment.Second, deployment.Http);
        var versions = new[] { "fashion-linear-v1", "fashion-mlp-v1", "fashion-cnn-v1" };
        var models = (await http.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray().ToList();
        var ids = versions.Select(v => models.Single(m => m.GetProperty("name").GetString() == v).GetProperty("id").GetInt32()).ToArray();
        var dataset = (await http.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().Single(d => d.GetProperty("name").GetString() == "fashion-mnist-test-2000");
        var labels = dataset.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToArray();
        var samples = (await http.GetFromJsonAsync<JsonElement>($"/api/datasets/{dataset.GetProperty("id").GetInt32()}/samples?take=12")).GetProperty("items").EnumerateArray().ToList();

        var ranOn = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            var response = await http.PostAsJsonAsync("/api/compare", new { modelVersionIds = ids, sampleId = sample.GetProperty("id").GetInt64() });
            var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(3, items.Count);
            for (var i = 0; i < 3; i++)
            {
                var (top1, _) = TorchReference.Of(versions[i]);
                Assert.Equal(labels[top1[sample.GetProperty("ordinal").GetInt32()] - '0'], items[i].GetProperty("output").GetString());
                ranOn.Add(items[i].GetProperty("ranOn").GetString()!);
            }
        }

        // The three versions spread over the two workers (each then stays with the worker that holds it).
        Assert.True(ranOn.Count == 2, $"ran on: {string.Join(" | ", ranOn)}\n{TeamDeployment.Tail(app.Output)}");
        Assert.Contains(ranOn, r => r.StartsWith($"worker {first.Address} (CPU: ", StringComparison.Ordinal));
        Assert.Contains(ranOn, r => r.StartsWith($"worker {second.Address} (CPU: ", StringComparison.Ordinal));
    }
    // A portal process (demo content, no demo runs) and two `qualityhub worker` processes fetching models from it.
    private sealed class PortalWithTwoWorkers : IAsyncDisposable
    {
        public required AppProcess App { get; init; }

        public required WorkerProcess First { get; init; }

        public required WorkerProcess Second { get; init; }

        public required HttpClient Http { get; init; }

        public static async Task<PortalWithTwoWorkers> StartAsync(TempFolder folder, Dictionary<string, string> settings)
        {
            var environment = new Dictionary<string, string>(settings)
            {
                ["Inference__Workers__0"] = $"unix:{Path.Combine(folder.Path, "w0", "worker.sock")}",
                ["Inference__Workers__1"] = $"unix:{Path.Combine(folder.Path, "w1", "worker.sock")}",
                ["Inference__WorkerKey"] = Key,
                ["Registry__EvaluateDemoModels"] = "false",
                ["Online__DemoEvents"] = "false",
            };
            var app = AppProcess.Start(environment: environment);
            await app.WaitUntilListeningAsync();
            await app.WaitForDemoContentAsync();
            var first = WorkerProcess.Start(Path.Combine(folder.Path, "w0"), app.BaseUrl, Key);
            var second = WorkerProcess.Start(Path.Combine(folder.Path, "w1"), app.BaseUrl, Key);
            await first.WaitUntilListeningAsync();
            await second.WaitUntilListeningAsync();
            return new PortalWithTwoWorkers { App = app, First = first, Second = second, Http = app.CreateHttpClient() };
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await First.DisposeAsync();
            await Second.DisposeAsync();
            await App.DisposeAsync();
        }
    }
}
