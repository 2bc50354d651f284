using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace QualityHub.Data;

/// <summary>
/// The context dotnet-ef builds (migrations add, the model snapshot), so the tools need only this project, not
/// the web app. It points at the default database, data/qualityhub.db; `dotnet ef database update` would migrate that file.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<QualityHubDbContext>
{
    public QualityHubDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<QualityHubDbContext>()
            .UseSqlite(DataServiceCollectionExtensions.ConnectionString(new StorageOptions()))
            .Options);
}
