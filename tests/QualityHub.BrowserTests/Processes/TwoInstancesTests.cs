using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// Two portal processes on one PostgreSQL database (the run's throwaway server): one is killed with SIGKILL in the
/// middle of an evaluation and the other, once the dead one's lease has expired, takes the run over and finishes it.
/// </summary>
public sealed class TwoInstancesTests
{
    [Fact]
    public async Task A_run_on_an_instance_killed_half_way_is_finished_by_the_other_with_one_prediction_per_sample()
    {
        using var team = await TeamDeployment.CreateAsync();
        // A short lease, and small batches with few samples in flight, so the kill lands half-way through 400 lines; no
        // demo event stream (its ingestion in the background would change the tables the takeover must leave alone).
        var settings = team.Settings(new Dictionary<string, string>
        {
            ["Online__DemoEvents"] = "false",
            ["Evaluation__LeaseSeconds"] = "3",
            ["Evaluation__WriteBatch"] = "20",
            ["Evaluation__InFlight"] = "2",
        });
        await using var first = AppProcess.Start(environment: settings);
        await first.WaitUntilListeningAsync();
        await first.WaitForDemoContentAsync();
        await using var second = AppProcess.Start(environment: settings);
        await second.WaitUntilListeningAsync();
        using var http = first.CreateHttpClient();

        using var hubOnFirst = await HubClient.ConnectAsync(first.BaseUrl);
        using var hubOnSecond = await HubClient.ConnectAsync(second.BaseUrl);

        // Both instances are up before the run is queued (one starting takes longer than the run), so either may claim
        // it: the one holding its lease is killed as soon as the run is under way, and the other must finish it.
        var runId = await TeamDeployment.StartRecognizerRunAsync(http);
        var before = await team.Server.PsqlAsync(team.Database, CountsOfOtherTables);
        var owner = "";
        await TeamDeployment.WaitAsync(async () => (owner = await team.LeaseOwnerOnceStoredAsync(runId, 40)) is not null, () => "the run did not get going");
        var (a, b, hub) = owner.EndsWith($"/{first.ProcessId}", StringComparison.Ordinal) ? (first, second, hubOnSecond) : (second, first, hubOnFirst);
        Assert.EndsWith($"/{a.ProcessId}", owner, StringComparison.Ordinal);

        a.Kill();
        var storedAtKill = await team.StoredAsync(runId);
        Assert.InRange(storedAtKill, 40, 399);

        using var onB = b.CreateHttpClient();
        await TeamDeployment.WaitAsync(async () => (await onB.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}")).GetProperty("status").GetString() == "completed",
            () => $"the surviving instance did not finish the run; it logged:\n{TeamDeployment.Tail(b.Output)}{TeamDeployment.Tail(b.Errors)}", TimeSpan.FromMinutes(2));

        Assert.Equal("400|400", (await team.Server.PsqlAsync(team.Database, $"SELECT count(*), count(DISTINCT \"SampleId\") FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId};")).Trim());
        Assert.Equal("Completed|400|", (await team.Server.PsqlAsync(team.Database, $"SELECT \"Status\", \"CompletedSamples\", \"LeaseOwner\" FROM \"EvaluationRuns\" WHERE \"Id\" = {runId};")).Trim());
        Assert.Equal(before, await team.Server.PsqlAsync(team.Database, CountsOfOtherTables));
        Assert.Contains(hub.Received, m => m.Contains("\"evaluationProgress\"", StringComparison.Ordinal) && m.Contains($"\"runId\":{runId}", StringComparison.Ordinal) && m.Contains("\"status\":\"running\"", StringComparison.Ordinal));
        Assert.Contains(hub.Received, m => m.Contains($"\"runId\":{runId}", StringComparison.Ordinal) && m.Contains("\"status\":\"completed\"", StringComparison.Ordinal));
        Assert.Contains($"Evaluation run {runId} resumes: {storedAtKill} of 400 samples were already predicted", b.Output, StringComparison.Ordinal);
    }

    // Row counts of every table the takeover must leave alone (all but the run, its predictions and the audit log).
    private const string CountsOfOtherTables = """
        SELECT string_agg(t || '=' || (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', t), false, true, '')))[1]::text, ',' ORDER BY t)
        FROM (SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
              AND table_name NOT IN ('Predictions', 'EvaluationRuns', 'AuditEntries', '__EFMigrationsHistory', '__EFMigrationsLock', 'DataProtectionKeys')) tables;
        """;
}
