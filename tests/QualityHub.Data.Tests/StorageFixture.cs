using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace QualityHub.Data.Tests;

/// <summary>QualityHub's storage registration, as the app does it, over a given data folder and database file.</summary>
public sealed class Storage : IAsyncDisposable
{
    private readonly ServiceProvider services;

    public Storage(string dataDirectory, string? databasePath = null, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Storage:DatabasePath"] = databasePath,
        };
        // A test that names the database file is about SQLite; the others store wherever the run's engine is.
        if (databasePath is null)
        {
            foreach (var (key, value) in TestDatabase.SettingsFor(dataDirectory))
            {
                settings[key] = value;
            }
        }

        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        collection.AddQualityHubData(configuration);
        services = collection.BuildServiceProvider();
    }

    public DatabaseInitializer Initializer => services.GetRequiredService<DatabaseInitializer>();

    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    public Task<QualityHubDbContext> CreateContextAsync() =>
        services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
