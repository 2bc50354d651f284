using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace QualityHub.BrowserTests;

/// <summary>
/// Two portal processes on one PostgreSQL database (the run's throwaway server): one is killed with SIGKILL in the
/// middle of an evaluation and the other, once the dead one's lease has expired, takes the run over and finishes it.
/// </summary>
public sealed class TwoInstancesTests
{
    [Fact]
    public async Task A_run_on_an_instance_killed_half_way_is_finished_by_the_other_with_one_prediction_per_sample()
    {
        var server = await PostgresTestServer.SharedAsync();
        var database = $"qh_{Guid.NewGuid():N}";
        using var shared = new TempFolder("qualityhub-shared-store-");
        var settings = new Dictionary<string, string>
        {
            // One content store for both, as a team's instances share one path.
            ["Storage__StoreDirectory"] = shared.Path,
            ["Storage__Provider"] = "postgres",
            ["ConnectionStrings__QualityHub"] = $"Host={server.Host};Port={server.Port};Username={PostgresTestServer.User};Database={database}",
            ["Registry__EvaluateDemoModels"] = "false",
            // A short lease, and small batches with few samples in flight, so the kill lands half-way through 400 lines.
            ["Evaluation__LeaseSeconds"] = "3",
            ["Evaluation__WriteBatch"] = "20",
            ["Evaluation__InFlight"] = "2",
        };
        await using var a = AppProcess.Start(environment: settings);
        await a.WaitUntilListeningAsync();
        await a.WaitForDemoContentAsync();
        using var http = a.CreateHttpClient();
        var models = await http.GetFromJsonAsync<JsonElement>("/api/models");
        var datasets = await http.GetFromJsonAsync<JsonElement>("/api/datasets");
        var version = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "pp-ocrv4-rec").GetProperty("id").GetInt32();
        var dataset = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "card-text-test").GetProperty("id").GetInt32();
        var started = await http.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version, datasetId = dataset });
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await WaitAsync(async () => await StoredAsync(server, database, runId) >= 40, () => "the run did not get going on the first instance");

        // The second instance comes up while the first is running, and listens on its hub.
        await using var b = AppProcess.Start(environment: settings);
        await b.WaitUntilListeningAsync();
        using var hub = await HubClient.ConnectAsync(b.BaseUrl);
        var before = await server.PsqlAsync(database, CountsOfOtherTables);

        a.Kill();
        var storedAtKill = await StoredAsync(server, database, runId);
        Assert.InRange(storedAtKill, 40, 399);

        using var onB = b.CreateHttpClient();
        await WaitAsync(async () => (await onB.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}")).GetProperty("status").GetString() == "completed",
            () => $"the second instance did not finish the run; it logged:\n{Tail(b.Output)}{Tail(b.Errors)}", TimeSpan.FromMinutes(2));

        Assert.Equal("400|400", (await server.PsqlAsync(database, $"SELECT count(*), count(DISTINCT \"SampleId\") FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId};")).Trim());
        Assert.Equal("Completed|400|", (await server.PsqlAsync(database, $"SELECT \"Status\", \"CompletedSamples\", \"LeaseOwner\" FROM \"EvaluationRuns\" WHERE \"Id\" = {runId};")).Trim());
        Assert.Equal(before, await server.PsqlAsync(database, CountsOfOtherTables));
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

    // The app's own lines and every warning or error, without the request log the polling makes.
    private static string Tail(string log)
    {
        var lines = string.Join('\n', log.Split('\n').Where(l => l.Contains("QualityHub.", StringComparison.Ordinal) || l.StartsWith("warn", StringComparison.Ordinal) || l.StartsWith("fail", StringComparison.Ordinal) || l.StartsWith("crit", StringComparison.Ordinal)));
        return lines.Length <= 6000 ? lines : lines[^6000..];
    }

    private static async Task<int> StoredAsync(PostgresTestServer server, string database, int runId) =>
        int.Parse((await server.PsqlAsync(database, $"SELECT count(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId};")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitAsync(Func<Task<bool>> done, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, what());
            await Task.Delay(100);
        }
    }

    /// <summary>A raw SignalR JSON-protocol client of /hubs/quality that keeps every message it receives.</summary>
    private sealed class HubClient : IDisposable
    {
        private readonly ClientWebSocket socket = new();
        private readonly CancellationTokenSource stop = new();
        private readonly List<string> received = [];

        public IReadOnlyList<string> Received
        {
            get
            {
                lock (received)
                {
                    return received.ToList();
                }
            }
        }

        public static async Task<HubClient> ConnectAsync(string baseUrl)
        {
            var client = new HubClient();
            client.socket.Options.SetRequestHeader("X-Api-Key", AppProcess.AdminKey);
            await client.socket.ConnectAsync(new Uri(baseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/hubs/quality"), CancellationToken.None);
            await client.socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
            _ = Task.Run(client.ReceiveAsync);
            return client;
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[64 * 1024];
            var text = new StringBuilder();
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var result = await socket.ReceiveAsync(buffer, stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                    var frames = text.ToString().Split('\u001e');
                    lock (received)
                    {
                        received.AddRange(frames[..^1]);
                    }

                    text.Clear().Append(frames[^1]);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            socket.Dispose();
            stop.Dispose();
        }
    }
}
