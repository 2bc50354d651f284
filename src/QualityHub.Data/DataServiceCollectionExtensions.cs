using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace QualityHub.Data;

/// <summary>Registers QualityHub's storage: options, the DbContext factory and the start-up initializer.</summary>
public static class DataServiceCollectionExtensions
{
    public static IServiceCollection AddQualityHubData(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.SectionName));
        services.AddDbContextFactory<QualityHubDbContext>((provider, builder) =>
            builder.UseSqlite(ConnectionString(provider.GetRequiredService<IOptions<StorageOptions>>().Value)));
        services.AddSingleton<DatabaseInitializer>();
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseInitializer>());
        return services;
    }

    /// <summary>Connection string for the configured database; the file is never created by anything but the initializer's migrate.</summary>
    public static string ConnectionString(StorageOptions options) => new SqliteConnectionStringBuilder
    {
        DataSource = options.ResolveDatabasePath(),
        Mode = SqliteOpenMode.ReadWriteCreate,
        ForeignKeys = true,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
