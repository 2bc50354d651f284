using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// The portal on PostgreSQL when the database goes away in the middle of an evaluation and comes back: the portal
/// keeps running and says the database is down, and the run resumes from its stored predictions once the database
/// answers again, with exactly one prediction per sample.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task A_run_interrupted_by_a_database_crash_resumes_when_it_is_back_with_one_prediction_per_sample()
    {
        await using var server = await PostgresTestServer.StartAsync(); // its own server: this test crashes it
        using var team = await TeamDeployment.CreateAsync(server);
        var settings = team.Settings(new Dictionary<string, string>
        {
            ["Online__DemoEvents"] = "false",
            ["Evaluation__LeaseSeconds"] = "3",
            ["Evaluation__WriteBatch"] = "10",
            ["Evaluation__InFlight"] = "1",
        });
        await using var app = AppProcess.Start(environment: settings);
        await app.WaitUntilListeningAsync();
        await app.WaitForDemoContentAsync();
        using var http = app.CreateHttpClient();
        var runId = await TeamDeployment.StartRecognizerRunAsync(http);
        await TeamDeployment.WaitAsync(async () => await team.StoredAsync(runId) >= 40, () => "the run did not get going");

        await server.CrashAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(app.HasExited, $"the portal ended when its database went away; it logged:\n{TeamDeployment.Tail(app.Output)}{TeamDeployment.Tail(app.Errors)}");
        using var probe = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var down = await probe.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("degraded", (await down.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var refused = await http.GetAsync("/api/evaluations");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("database does not answer", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await server.RestartAsync();

        await TeamDeployment.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}")).GetProperty("status").GetString() == "completed",
            () => $"the run did not complete after the database came back; the app logged:\n{TeamDeployment.Tail(app.Output)}{TeamDeployment.Tail(app.Errors)}", TimeSpan.FromMinutes(3));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal("400|400", (await server.PsqlAsync(team.Database, $"SELECT count(*), count(DISTINCT \"SampleId\") FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId};")).Trim());
        Assert.Equal("Completed|400|", (await server.PsqlAsync(team.Database, $"SELECT \"Status\", \"CompletedSamples\", \"Error\" FROM \"EvaluationRuns\" WHERE \"Id\" = {runId};")).Trim());
        Assert.Contains($"Evaluation run {runId} resumes", app.Output, StringComparison.Ordinal);
    }
}
