using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace QualityHub.Data;

/// <summary>Applies Storage:MaxDatabaseMb to every connection EF opens, as SQLite's max_page_count.</summary>
internal sealed class DatabaseQuotaInterceptor(double maxDatabaseMb) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size";
        var pageSize = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = $"PRAGMA max_page_count = {Math.Max(1, (long)(maxDatabaseMb * 1024 * 1024 / pageSize))}";
        command.ExecuteNonQuery();
    }
}
