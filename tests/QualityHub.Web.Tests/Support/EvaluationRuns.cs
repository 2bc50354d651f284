using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.Web.Tests.Support;

/// <summary>Waiting for evaluation runs through the API, and the torch reference of the demo classifiers.</summary>
internal static class EvaluationRuns
{
    public static readonly string[] Terminal = ["completed", "failed", "cancelled"];

    /// <summary>Polls GET /api/evaluations/{id} until the run has finished; fails after <paramref name="timeoutSeconds"/>.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient client, int runId, int timeoutSeconds = 240)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}");
            if (Terminal.Contains(run.GetProperty("status").GetString()))
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {runId} is still {run.GetProperty("status").GetString()} after {timeoutSeconds} s: {run}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Runs the demo CNN on the demo's 2,000-image subset through the API and waits for the run to finish.</summary>
    public static async Task<JsonElement> RunDemoCnnAsync(HttpClient client)
    {
        var models = await client.GetFromJsonAsync<JsonElement>("/api/models");
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");
        var version = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "fashion-cnn-v1").GetProperty("id").GetInt32();
        var dataset = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "fashion-mnist-test-2000").GetProperty("id").GetInt32();
        var started = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version, datasetId = dataset });
        Assert.Equal(System.Net.HttpStatusCode.Created, started.StatusCode);
        return await WaitAsync(client, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
    }

    /// <summary>The runs of the demo, once every one of them has finished.</summary>
    public static async Task<List<JsonElement>> DemoRunsAsync(HttpClient client, int expected = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(300);
        while (true)
        {
            var runs = (await client.GetFromJsonAsync<JsonElement>("/api/evaluations")).EnumerateArray().ToList();
            if (runs.Count >= expected && runs.All(r => Terminal.Contains(r.GetProperty("status").GetString()!.ToLowerInvariant())))
            {
                return runs;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The demo runs did not finish: {string.Join("; ", runs.Select(r => $"{r.GetProperty("id")} {r.GetProperty("status")}"))}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>Every prediction of a run, through the paged API.</summary>
    public static async Task<List<JsonElement>> PredictionsAsync(HttpClient client, int runId)
    {
        var all = new List<JsonElement>();
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}/predictions?skip={all.Count}&take=1000");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            if (items.Count == 0 || all.Count >= page.GetProperty("total").GetInt32())
            {
                return all;
            }
        }
    }
}
