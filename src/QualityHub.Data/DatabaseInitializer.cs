using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace QualityHub.Data;

/// <summary>
/// Checks the data folder and database at start-up, then applies migrations. It never deletes, recreates
/// or overwrites an existing database: anything it does not recognise stops the app with a StartupException.
/// </summary>
public sealed partial class DatabaseInitializer(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    IOptions<StorageOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    public async Task StartAsync(CancellationToken cancellationToken) => await InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.ResolveProvider() == DatabaseProvider.Postgres)
        {
            EnsureWritableFolder(options.Value.ResolveDataDirectory(), "Data folder");
            await InitializePostgresAsync(cancellationToken);
            return;
        }

        var dataDirectory = options.Value.ResolveDataDirectory();
        var databasePath = options.Value.ResolveDatabasePath();

        EnsureWritableFolder(dataDirectory, "Data folder");
        EnsureWritableFolder(Path.GetDirectoryName(databasePath)!, "Database folder");
        CheckExistingFileIsSqlite(databasePath);

        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var known = context.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        try
        {
            await CheckExistingDatabaseIsOursAsync(context, databasePath, known, cancellationToken);

            // WAL: readers never block the writer; the setting is stored in the database file.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                LogApplyingMigrations(pending.Count, databasePath, string.Join(", ", pending));
                await context.Database.MigrateAsync(cancellationToken);
            }

            LogDatabaseReady(databasePath);
        }
        catch (SqliteException e)
        {
            throw new StartupException(
                $"Database {databasePath} cannot be used: {e.Message.TrimEnd('.')}. It was left untouched; " +
                "restore it from a backup or set Storage:DatabasePath to another file.", e);
        }
    }

    // PostgreSQL: the server must answer; a database with tables must be ours and not newer; a missing database is
    // created; then migrate (EF holds its migration lock, so instances starting together migrate once). The checks use
    // connections of their own, so an expected "no such database" is not logged as an error by EF.
    private async Task InitializePostgresAsync(CancellationToken cancellationToken)
    {
        var connectionString = PostgresConnection.Require(options.Value);
        var where = PostgresConnection.Describe(connectionString);
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var known = context.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        try
        {
            var tables = await ListTablesAsync(connectionString, cancellationToken);
            if (tables is null)
            {
                await CreateDatabaseAsync(connectionString, cancellationToken);
            }
            else
            {
                await CheckTablesAreOursAsync(context, where, tables, known, cancellationToken);
            }

            // A new database has no history table to ask (EF would log the failed read as an error): every migration is pending.
            var pending = tables is null || tables.Count == 0
                ? context.Database.GetMigrations().ToList()
                : (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                LogApplyingMigrations(pending.Count, where, string.Join(", ", pending));
                await context.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
                await context.Database.MigrateAsync(cancellationToken);
            }

            LogDatabaseReady(where);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException { InnerException: NpgsqlException })
        {
            var cause = e as NpgsqlException ?? (NpgsqlException)e.InnerException!;
            throw new StartupException(
                $"PostgreSQL at {PostgresConnection.HostAndPort(connectionString)} cannot be used: {PostgresConnection.Reason(cause)}. " +
                $"Start it, or fix ConnectionStrings:{StorageOptions.ConnectionStringName}.", e);
        }
    }

    // The tables of the configured database's schema; null when the database does not exist yet.
    private static async Task<List<string>?> ListTablesAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var list = new NpgsqlCommand(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name", connection);
            var tables = new List<string>();
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }

            return tables;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return null;
        }
    }

    // Through the server's maintenance database, as EF would; an account that may not create databases is told so.
    private static async Task CreateDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var name = target.Database ?? target.Username ?? "qualityhub";
        var server = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance created it a moment ago.
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new StartupException(
                $"Database {name} does not exist on {target.Host}:{target.Port} and user {target.Username} may not create it. " +
                $"Create it (CREATE DATABASE \"{name}\" OWNER \"{target.Username}\"), or fix ConnectionStrings:{StorageOptions.ConnectionStringName}.", e);
        }
    }

    private static void EnsureWritableFolder(string folder, string what)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new StartupException(
                $"{what} {folder} cannot be created ({e.Message.TrimEnd('.')}). Set Storage:DataDirectory to a writable folder.", e);
        }

        var probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException(
                $"{what} {folder} is not writable ({e.Message.TrimEnd('.')}). Make it writable or set Storage:DataDirectory to another folder.", e);
        }
    }

    private static void CheckExistingFileIsSqlite(string databasePath)
    {
        if (Directory.Exists(databasePath))
        {
            throw new StartupException($"Database path {databasePath} is a folder, not a file. Set Storage:DatabasePath to a file path.");
        }

        if (!File.Exists(databasePath))
        {
            return;
        }

        Span<byte> header = stackalloc byte[SqliteHeader.Length];
        int read;
        try
        {
            using var stream = File.OpenRead(databasePath);
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Database {databasePath} cannot be read ({e.Message.TrimEnd('.')}). Fix its permissions or set Storage:DatabasePath to another file.", e);
        }

        // SQLite treats an empty file as an empty database; anything else must carry SQLite's header.
        if (read > 0 && (read < header.Length || !header.SequenceEqual(SqliteHeader)))
        {
            throw new StartupException(
                $"Database {databasePath} is not a SQLite database (corrupt, or another kind of file). QualityHub left it untouched: " +
                "move it away or set Storage:DatabasePath to another file.");
        }
    }

    private static async Task CheckExistingDatabaseIsOursAsync(
        QualityHubDbContext context, string databasePath, IReadOnlySet<string> knownMigrations, CancellationToken cancellationToken)
    {
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);

        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA quick_check;";
            var result = (string?)await check.ExecuteScalarAsync(cancellationToken);
            if (result != "ok")
            {
                throw new StartupException(
                    $"Database {databasePath} is damaged (SQLite integrity check: {result}). QualityHub left it untouched: restore it from a backup.");
            }
        }

        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        await CheckTablesAreOursAsync(context, databasePath, tables, knownMigrations, cancellationToken);
    }

    // Tables without EF's history are someone else's; a migration this version does not know means a newer QualityHub.
    private static async Task CheckTablesAreOursAsync(
        QualityHubDbContext context, string where, IReadOnlyList<string> tables, IReadOnlySet<string> knownMigrations, CancellationToken cancellationToken)
    {
        if (tables.Count == 0)
        {
            return;
        }

        var elsewhere = context.Database.IsNpgsql()
            ? $"set ConnectionStrings:{StorageOptions.ConnectionStringName} to another database"
            : "set Storage:DatabasePath to another file";
        const string history = HistoryRepository.DefaultTableName;
        if (!tables.Contains(history))
        {
            throw new StartupException(
                $"Database {where} belongs to something else (tables: {string.Join(", ", tables.Take(5))}{(tables.Count > 5 ? ", …" : "")}). " +
                $"QualityHub left it untouched: {elsewhere}.");
        }

        var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var unknown = applied.Where(id => !knownMigrations.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new StartupException(
                $"Database {where} was written by a newer QualityHub (migration {unknown[^1]} is unknown to this version). " +
                $"Run the newer version, or {elsewhere}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migration(s) to {Path}: {Migrations}")]
    private partial void LogApplyingMigrations(int count, string path, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready at {Path}")]
    private partial void LogDatabaseReady(string path);
}
