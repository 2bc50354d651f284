using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace QualityHub.Web.Tests.Support;

/// <summary>The real app in memory, on a real SQLite file in a temp folder of its own (or its own PostgreSQL database: TestDatabase).</summary>
public class QualityHubFactory : WebApplicationFactory<Program>
{
    /// <summary>The admin API key every test app starts with (QUALITYHUB_API_KEY); clients from CreateClient send it.</summary>
    public const string AdminKey = "test-admin-key-0123456789";

    /// <summary>Whether the demo content loads on start; most tests want an empty registry.</summary>
    protected virtual bool LoadDemoContent => false;

    public QualityHubFactory()
        : this(null)
    {
    }

    /// <summary>An app on <paramref name="dataDirectory"/> (kept when the factory is disposed), or on a temp folder of its own.</summary>
    protected QualityHubFactory(string? dataDirectory)
    {
        ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("qualityhub-web-").FullName;
    }

    private readonly bool ownsDataDirectory;

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "qualityhub.db");

    /// <summary>Whether the demo models are evaluated on first start; off by default so engine-level tests see only their own work.</summary>
    protected virtual bool EvaluateDemoModels => false;

    /// <summary>Whether the demo pipeline is evaluated with the demo models (a minute of CPU: only the tests of its run ask for it).</summary>
    protected virtual bool EvaluateDemoPipelines => false;

    /// <summary>More configuration, Section:Key → value.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Registry:LoadDemoContent", LoadDemoContent ? "true" : "false");
        builder.UseSetting("Registry:EvaluateDemoModels", EvaluateDemoModels ? "true" : "false");
        builder.UseSetting("Registry:EvaluateDemoPipelines", EvaluateDemoPipelines ? "true" : "false");
        builder.UseSetting("QUALITYHUB_API_KEY", AdminKey);
        foreach (var (key, value) in TestDatabase.SettingsFor(DataDirectory))
        {
            builder.UseSetting(key, value);
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        // As `dotnet run` starts the app (launchSettings.json): from a build output, Development is the environment in
        // which ASP.NET Core serves framework and package files from the build's static-asset manifest.
        builder.UseEnvironment("Development");
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    /// <summary>A client that sends no credentials at all.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        return client;
    }

    /// <summary>A browser of a stranger: no credentials, its own cookies, and redirects left for the test to see.</summary>
    public HttpClient CreateBrowser()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        return client;
    }

    /// <summary>A WebSocket client (for the hub) that sends the admin key.</summary>
    public Microsoft.AspNetCore.TestHost.WebSocketClient CreateWebSocketClient()
    {
        var client = Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["X-Api-Key"] = AdminKey;
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools(); // the run's PostgreSQL server has room for a few apps' pools, not for all of them
        if (!ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The app with the demo content loading on start, as a fresh install does.</summary>
public sealed class DemoQualityHubFactory : QualityHubFactory
{
    protected override bool LoadDemoContent => true;
}

/// <summary>A fresh install as a user gets it: demo content, and every demo model evaluated in the background.</summary>
public sealed class EvaluatedDemoQualityHubFactory : QualityHubFactory
{
    protected override bool LoadDemoContent => true;

    protected override bool EvaluateDemoModels => true;
}

/// <summary>An app configured by the test: its data folder (shared across restarts), demo content and settings.</summary>
public sealed class ConfiguredQualityHubFactory(string dataDirectory, bool loadDemoContent, bool evaluateDemoModels, IReadOnlyDictionary<string, string>? settings = null)
    : QualityHubFactory(dataDirectory)
{
    protected override bool LoadDemoContent => loadDemoContent;

    protected override bool EvaluateDemoModels => evaluateDemoModels;

    protected override IReadOnlyDictionary<string, string> Settings => settings ?? new Dictionary<string, string>();
}
