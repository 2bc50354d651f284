using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace QualityHub.Web.Tests;

/// <summary>The real app in memory, on a real SQLite file in a temp folder of its own.</summary>
public class QualityHubFactory : WebApplicationFactory<Program>
{
    /// <summary>Whether the demo content loads on start; most tests want an empty registry.</summary>
    protected virtual bool LoadDemoContent => false;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("qualityhub-web-").FullName;

    public string DatabasePath => Path.Combine(DataDirectory, "qualityhub.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Registry:LoadDemoContent", LoadDemoContent ? "true" : "false");
        builder.UseEnvironment("Production");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
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
