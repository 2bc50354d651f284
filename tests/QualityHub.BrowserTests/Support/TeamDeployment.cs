using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.BrowserTests.Support;

/// <summary>
/// Portal processes as a team runs them: one PostgreSQL database (the run's throwaway server), one shared content
/// store and, when given, one Redis server for the live view. Disposing deletes the store folder.
/// </summary>
internal sealed class TeamDeployment : IDisposable
{
    private readonly TempFolder store = new("qualityhub-shared-store-");

    private TeamDeployment(PostgresTestServer server, string database)
    {
        Server = server;
        Database = database;
    }

    public PostgresTestServer Server { get; }

    public string Database { get; }

    /// <summary>A new database on <paramref name="server"/> or the run's shared one (created by the first instance that starts).</summary>
    public static async Task<TeamDeployment> CreateAsync(PostgresTestServer? server = null) =>
        new(server ?? await PostgresTestServer.SharedAsync(), $"qh_{Guid.NewGuid():N}");

    /// <summary>Every instance's settings: the database, the store, demo models not evaluated, and <paramref name="more"/>.</summary>
    public Dictionary<string, string> Settings(IReadOnlyDictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage__StoreDirectory"] = store.Path,
            ["Storage__Provider"] = "postgres",
            ["ConnectionStrings__QualityHub"] = Server.ConnectionStringFor(Database),
            ["Registry__EvaluateDemoModels"] = "false",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Starts a run of the demo's text recogniser on its 400 card lines; its id.</summary>
    public static async Task<int> StartRecognizerRunAsync(HttpClient http)
    {
        var models = await http.GetFromJsonAsync<JsonElement>("/api/models");
        var datasets = await http.GetFromJsonAsync<JsonElement>("/api/datasets");
        var version = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "pp-ocrv4-rec").GetProperty("id").GetInt32();
        var dataset = datasets.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "card-text-test").GetProperty("id").GetInt32();
        var started = await http.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version, datasetId = dataset });
        return (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    /// <summary>Every prediction of a run, through the paged API.</summary>
    public static async Task<List<JsonElement>> PredictionsAsync(HttpClient http, int runId)
    {
        var predictions = new List<JsonElement>();
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}/predictions?skip={predictions.Count}&take=200");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            predictions.AddRange(items);
            if (items.Count == 0 || predictions.Count >= page.GetProperty("total").GetInt32())
            {
                return predictions;
            }
        }
    }

    /// <summary>Predictions stored for a run, read straight from the database.</summary>
    public async Task<int> StoredAsync(int runId) =>
        int.Parse((await Server.PsqlAsync(Database, $"SELECT count(*) FROM \"Predictions\" WHERE \"EvaluationRunId\" = {runId};")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>The instance holding a run's lease once at least <paramref name="stored"/> of its predictions are stored; null before.</summary>
    public async Task<string?> LeaseOwnerOnceStoredAsync(int runId, int stored)
    {
        var owner = (await Server.PsqlAsync(Database,
            $"SELECT r.\"LeaseOwner\" FROM \"EvaluationRuns\" r WHERE r.\"Id\" = {runId} AND (SELECT count(*) FROM \"Predictions\" p WHERE p.\"EvaluationRunId\" = {runId}) >= {stored};")).Trim();
        return owner.Length == 0 ? null : owner;
    }

    /// <summary>The app's own lines and every warning or error, without the request log the polling makes.</summary>
    public static string Tail(string log)
    {
        var lines = string.Join('\n', log.Split('\n').Where(l => l.Contains("QualityHub.", StringComparison.Ordinal) || l.StartsWith("warn", StringComparison.Ordinal) || l.StartsWith("fail", StringComparison.Ordinal) || l.StartsWith("crit", StringComparison.Ordinal)));
        return lines.Length <= 6000 ? lines : lines[^6000..];
    }

    public static async Task WaitAsync(Func<Task<bool>> done, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, what());
            await Task.Delay(100);
        }
    }

    public void Dispose() => store.Dispose();
}
