using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace QualityHub.Data;

/// <summary>The few database failures QualityHub answers in its own words, recognised on either engine.</summary>
public static class DatabaseErrors
{
    /// <summary>A unique index refused the row: another writer got there first.</summary>
    public static bool IsUniqueViolation(Exception e) => Cause(e) switch
    {
        SqliteException s => s.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>The database or its disk is full (or, on SQLite, Storage:MaxDatabaseMb is reached).</summary>
    public static bool IsFull(Exception e) => Cause(e) switch
    {
        SqliteException s => s.SqliteErrorCode == 13, // SQLITE_FULL
        PostgresException p => p.SqlState == PostgresErrorCodes.DiskFull,
        _ => false,
    };

    /// <summary>
    /// The database server cannot be reached or went away (PostgreSQL: a connection refused or broken, the server
    /// shutting down or restarting — what Npgsql calls transient), anywhere in the chain of causes. SQLite, a file in
    /// this process, never is.
    /// </summary>
    public static bool IsUnreachable(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnreachable),
        _ => e.InnerException is { } inner && IsUnreachable(inner),
    };

    private static DbException? Cause(Exception e) => e as DbException ?? e.InnerException as DbException;
}
