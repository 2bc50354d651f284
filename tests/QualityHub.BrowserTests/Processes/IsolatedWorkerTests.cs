using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// A portal process with Inference:Isolation=process: its models run in a worker process it starts itself. Killing that
/// worker with SIGKILL half-way through an evaluation leaves the portal serving, the worker is started again and the run
/// completes with exactly one prediction per sample; a model that takes the worker down twice (the test-only
/// Worker:TestCrashOnModel hook makes the worker abort when asked to run it, standing in for a native crash) is
/// quarantined with the reason on its page, and other models run on.
/// </summary>
public sealed class IsolatedWorkerTests
{
    private static readonly Dictionary<string, string> Isolated = new()
    {
        ["Inference__Isolation"] = "process",
        ["Registry__EvaluateDemoModels"] = "false",
        ["Online__DemoEvents"] = "false",
        ["Evaluation__WriteBatch"] = "10",
        ["Evaluation__InFlight"] = "1",
    };

    [Fact]
    public async Task Killing_the_isolated_worker_half_way_leaves_the_portal_serving_and_the_run_completes_once_per_sample()
    {
        await using var app = AppProcess.Start(environment: Isolated);
        await app.WaitUntilListeningAsync();
        await app.WaitForDemoContentAsync();
        using var http = app.CreateHttpClient();

        var runId = await TeamDeployment.StartRecognizerRunAsync(http);
        async Task<JsonElement> RunAsync() => await http.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}");
        async Task<int> DoneAsync() => (await RunAsync()).GetProperty("progress").GetProperty("done").GetInt32();
        // The worker is killed as soon as the run is under way (a run of 400 lines takes a few seconds at most).
        var (doneWhenKilled, pid) = (0, 0);
        await TeamDeployment.WaitAsync(
            async () =>
            {
                if ((doneWhenKilled = await DoneAsync()) < 40)
                {
                    return false;
                }

                pid = (await IsolatedAsync(http)).GetProperty("processId").GetInt32();
                return true;
            },
            () => $"the run did not get going:\n{TeamDeployment.Tail(app.Output)}");
        System.Diagnostics.Process.GetProcessById(pid).Kill();

        // The portal answers while its worker is gone, and says so on the engine panel's source.
        await TeamDeployment.WaitAsync(async () => (await IsolatedAsync(http)).GetProperty("lastExit").ValueKind == JsonValueKind.String,
            () => $"the worker's death was not noticed:\n{TeamDeployment.Tail(app.Output)}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Contains("SIGKILL", (await IsolatedAsync(http)).GetProperty("lastExit").GetString(), StringComparison.Ordinal);

        await TeamDeployment.WaitAsync(async () => (await RunAsync()).GetProperty("status").GetString() == "completed",
            () => $"the run did not complete after the worker was started again:\n{TeamDeployment.Tail(app.Output)}{TeamDeployment.Tail(app.Errors)}",
            TimeSpan.FromMinutes(3));
        Assert.InRange(doneWhenKilled, 40, 399); // killed half-way, not after the end
        Assert.False(app.HasExited);
        var after = await IsolatedAsync(http);
        Assert.NotEqual(pid, after.GetProperty("processId").GetInt32());
        Assert.Equal(2, after.GetProperty("starts").GetInt32());
        var predictions = await TeamDeployment.PredictionsAsync(http, runId);
        Assert.Equal(400, predictions.Count);
        Assert.Equal(400, predictions.Select(p => p.GetProperty("sampleId").GetInt64()).Distinct().Count());
        Assert.DoesNotContain(predictions, p => p.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String);
        Assert.StartsWith("worker unix:", (await RunAsync()).GetProperty("ranOn").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_crashes_the_worker_twice_is_quarantined_with_the_reason_on_its_page_and_others_run_on()
    {
        // The demo's CNN is the crasher; its sibling MLP is the bystander.
        var crasher = Sha256Of(RepositoryFiles.Path("data", "demo", "models", "fashion-cnn-v1.onnx"));
        await using var app = AppProcess.Start(environment: new Dictionary<string, string>(Isolated) { ["Worker__TestCrashOnModel"] = crasher });
        await app.WaitUntilListeningAsync();
        await app.WaitForDemoContentAsync();
        using var http = app.CreateHttpClient();
        var models = (await http.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray().ToList();
        var cnn = models.Single(m => m.GetProperty("sha256").GetString() == crasher).GetProperty("id").GetInt32();
        var mlp = models.Single(m => m.GetProperty("name").GetString() == "fashion-mlp-v1").GetProperty("id").GetInt32();
        var sample = (await http.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray()
            .Single(d => d.GetProperty("name").GetString() == "fashion-mnist-test-2000").GetProperty("id").GetInt32();
        var sampleId = (await http.GetFromJsonAsync<JsonElement>($"/api/datasets/{sample}/samples?take=1")).GetProperty("items")[0].GetProperty("id").GetInt64();
        async Task<string?> CompareAsync(int version)
        {
            var response = await http.PostAsJsonAsync("/api/compare", new { modelVersionIds = new[] { version }, sampleId });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var item = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0];
            return item.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
        }

        var first = await CompareAsync(cnn);
        Assert.Contains("SIGABRT", first, StringComparison.Ordinal); // the comparison in flight answers with the reason
        Assert.Contains("fashion-cnn-v1", first, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Null(await CompareAsync(mlp)); // waits for the worker to start again, then answers

        var second = await CompareAsync(cnn);
        Assert.Contains("quarantined", second, StringComparison.Ordinal);
        var third = await CompareAsync(cnn); // refused without asking the worker: it does not die a third time
        Assert.Contains("is quarantined since", third, StringComparison.Ordinal);
        Assert.Contains("/fashion-cnn-v1' is quarantined", app.Output, StringComparison.Ordinal);
        Assert.Null(await CompareAsync(mlp));

        var detail = await http.GetFromJsonAsync<JsonElement>($"/api/models/{cnn}");
        var quarantine = detail.GetProperty("quarantine");
        Assert.Contains("each of the 2 times the isolated worker process died", quarantine.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await http.GetFromJsonAsync<JsonElement>($"/api/models/{mlp}")).GetProperty("quarantine").ValueKind);

        // Lifted by the admin, the model runs (and here, by the hook, crashes) again.
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/models/{cnn}/quarantine")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/models/{cnn}/quarantine")).StatusCode);
        Assert.Contains("SIGABRT", await CompareAsync(cnn), StringComparison.Ordinal);
        Assert.False(app.HasExited);
    }

    private static async Task<JsonElement> IsolatedAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/engine")).GetProperty("workers")[0].GetProperty("isolated");

    private static string Sha256Of(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
