using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

        if (tables.Count == 0)
        {
            return;
        }

        const string history = HistoryRepository.DefaultTableName;
        if (!tables.Contains(history))
        {
            throw new StartupException(
                $"Database {databasePath} belongs to something else (tables: {string.Join(", ", tables.Take(5))}{(tables.Count > 5 ? ", …" : "")}). " +
                "QualityHub left it untouched: set Storage:DatabasePath to another file.");
        }

        var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var unknown = applied.Where(id => !knownMigrations.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new StartupException(
                $"Database {databasePath} was written by a newer QualityHub (migration {unknown[^1]} is unknown to this version). " +
                "Run the newer version, or set Storage:DatabasePath to another file.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migration(s) to {Path}: {Migrations}")]
    private partial void LogApplyingMigrations(int count, string path, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready at {Path}")]
    private partial void LogDatabaseReady(string path);
}
