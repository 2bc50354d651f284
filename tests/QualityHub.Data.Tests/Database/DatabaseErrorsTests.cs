using Microsoft.Data.Sqlite;
using Npgsql;

namespace QualityHub.Data.Tests.Database;

/// <summary>Which failures mean "the database server is away" (an evaluation pauses, a request gets 503) and which do not.</summary>
public sealed class DatabaseErrorsTests
{
    [Fact]
    public async Task A_refused_connection_is_unreachable_however_deeply_it_is_wrapped()
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=nobody;Timeout=2;Pooling=false");
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());

        Assert.True(DatabaseErrors.IsUnreachable(refused));
        Assert.True(DatabaseErrors.IsUnreachable(new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", refused)));
        Assert.True(DatabaseErrors.IsUnreachable(new AggregateException(new IOException("decode failed"), refused)));
    }

    [Fact]
    public void Refusals_of_a_database_that_answers_are_not_unreachable()
    {
        Assert.False(DatabaseErrors.IsUnreachable(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.False(DatabaseErrors.IsUnreachable(new SqliteException("database or disk is full", 13)));
        Assert.False(DatabaseErrors.IsUnreachable(new InvalidOperationException("no inner cause")));
        Assert.False(DatabaseErrors.IsUnreachable(new AggregateException(new IOException("decode failed"))));
    }
}
