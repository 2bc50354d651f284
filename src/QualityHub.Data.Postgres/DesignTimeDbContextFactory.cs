using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace QualityHub.Data.Postgres;

/// <summary>
/// The context dotnet-ef builds for PostgreSQL migrations:
/// <c>dotnet ef migrations add NAME --project src/QualityHub.Data.Postgres</c>. Adding a migration connects to nothing;
/// <c>database update</c> would use ConnectionStrings__QualityHub from the environment.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<QualityHubDbContext>
{
    public QualityHubDbContext CreateDbContext(string[] args)
    {
        var storage = new StorageOptions
        {
            Provider = "postgres",
            ConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__QualityHub") ?? "Host=127.0.0.1;Database=qualityhub;Username=qualityhub",
        };
        var builder = new DbContextOptionsBuilder<QualityHubDbContext>();
        DataServiceCollectionExtensions.UseConfiguredDatabase(builder, storage);
        return new QualityHubDbContext(builder.Options);
    }
}
