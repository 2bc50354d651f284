using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QualityHub.Data.Accounts;
using QualityHub.Data.Content;
using QualityHub.Data.Copying;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;

namespace QualityHub.Data;

/// <summary>Registers QualityHub's storage: options, the DbContext factory, the start-up initializer, the content store and the registry.</summary>
public static class DataServiceCollectionExtensions
{
    private static readonly AuditInterceptor Audit = new();

    public static IServiceCollection AddQualityHubData(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.SectionName));
        services.PostConfigure<StorageOptions>(storage => storage.ConnectionString ??= configuration.GetConnectionString(StorageOptions.ConnectionStringName));
        services.AddDbContextFactory<QualityHubDbContext>((provider, builder) =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            UseConfiguredDatabase(builder, storage);
            builder.AddInterceptors(Audit);
            if (storage.MaxDatabaseMb > 0 && storage.ResolveProvider() == DatabaseProvider.Sqlite)
            {
                builder.AddInterceptors(new DatabaseQuotaInterceptor(storage.MaxDatabaseMb));
            }
        });
        services.Configure<RegistryOptions>(configuration.GetSection(RegistryOptions.SectionName));
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<ContentStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ContentSweeper>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<DatasetImporter>();
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseInitializer>());
        services.AddOptions<EvaluationOptions>().Bind(configuration.GetSection(EvaluationOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EvaluationOptions>, EvaluationOptionsValidator>();
        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton<EvaluationLeases>();
        services.AddSingleton<EvaluationService>();
        services.AddSingleton<RunMetricsCalculator>();
        services.AddSingleton<MeasuringRuns>();
        services.AddSingleton<Drift.RunProfiles>();
        services.AddSingleton<Drift.DatasetValidator>();
        services.AddSingleton<DecodedImageCache>();
        services.AddSingleton<PipelineRegistry>();
        services.AddSingleton<PipelineEvaluator>();
        services.AddSingleton<EvaluationRunner>();
        services.AddSingleton<DatabaseCopier>();
        return services;
    }

    /// <summary>The name of the assembly that holds the PostgreSQL migrations (EF's layout for several providers: one migrations assembly each).</summary>
    public const string PostgresMigrationsAssembly = "QualityHub.Data.Postgres";

    /// <summary>Points EF at the configured engine: SQLite with its migrations here, or PostgreSQL with its own.</summary>
    public static DbContextOptionsBuilder UseConfiguredDatabase(DbContextOptionsBuilder builder, StorageOptions storage) =>
        storage.ResolveProvider() switch
        {
            DatabaseProvider.Postgres => builder.UseNpgsql(PostgresConnection.Require(storage), npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly)),
            _ => builder.UseSqlite(ConnectionString(storage)),
        };

    /// <summary>Connection string for the configured SQLite database; the file is never created by anything but the initializer's migrate.</summary>
    public static string ConnectionString(StorageOptions options) => new SqliteConnectionStringBuilder
    {
        DataSource = options.ResolveDatabasePath(),
        Mode = SqliteOpenMode.ReadWriteCreate,
        ForeignKeys = true,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
