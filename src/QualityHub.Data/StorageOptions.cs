namespace QualityHub.Data;

/// <summary>The database engine QualityHub keeps its records in.</summary>
public enum DatabaseProvider
{
    /// <summary>An embedded SQLite file in the data folder: one command on one machine (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (ConnectionStrings:QualityHub): several portal instances on one database.</summary>
    Postgres,
}

/// <summary>Where QualityHub keeps its database and files (configuration section "Storage").</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The configuration key of the PostgreSQL connection string (ConnectionStrings:QualityHub).</summary>
    public const string ConnectionStringName = "QualityHub";

    /// <summary>Which engine holds the records: sqlite (default) or postgres.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Folder for the database and the blob store. Default: data/ in the repository (or beside the app when published).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The SQLite database file. Default: qualityhub.db in the data folder.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// The content store (model files and images, by SHA-256). Default: store/ in the data folder. Portal instances on
    /// one PostgreSQL database must share it: point each at the same shared path.
    /// </summary>
    public string? StoreDirectory { get; set; }

    /// <summary>The PostgreSQL connection string, from ConnectionStrings:QualityHub (read there, not in this section).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Largest size the database may grow to, in MiB; 0 for no limit. A write past it fails the way a full disk
    /// does (SQLite's "database or disk is full"), so a quota protects the rest of the volume. SQLite only.
    /// </summary>
    public double MaxDatabaseMb { get; set; }

    /// <summary>
    /// How long, in minutes, a blob no record references (or an entry of the store's tmp folder) is left alone after it
    /// was last written or stored again before a sweep deletes it; at least 1. It covers writers that store a blob and
    /// reference it moments later (a ticket, a model); dataset imports are covered however long they run (their lease,
    /// <see cref="Content.ContentStore.LeaseWrites"/>).
    /// </summary>
    public int SweepGraceMinutes { get; set; } = 60;

    /// <summary>How often the web app sweeps the content store, in minutes; 0 turns the background sweep off (<c>qualityhub sweep-store</c> still sweeps).</summary>
    public int SweepIntervalMinutes { get; set; } = 360;

    /// <summary>The sweep's grace window; less than a minute is a start-up error naming the setting.</summary>
    public TimeSpan ResolveSweepGrace() => SweepGraceMinutes >= 1
        ? TimeSpan.FromMinutes(SweepGraceMinutes)
        : throw new StartupException($"Storage:SweepGraceMinutes is {SweepGraceMinutes}; it must be at least 1 (minutes an unreferenced blob is kept after its last write).");

    /// <summary>The background sweep's interval, or null when it is off (0); a negative value is a start-up error naming the setting.</summary>
    public TimeSpan? ResolveSweepInterval() => SweepIntervalMinutes switch
    {
        0 => null,
        > 0 => TimeSpan.FromMinutes(SweepIntervalMinutes),
        _ => throw new StartupException($"Storage:SweepIntervalMinutes is {SweepIntervalMinutes}; it must be 0 (no background sweep) or a number of minutes."),
    };

    /// <summary>The configured engine; anything but sqlite or postgres is a start-up error naming the setting.</summary>
    public DatabaseProvider ResolveProvider() =>
        ParseProvider(Provider) ?? throw new StartupException($"Storage:Provider is '{Provider}'; it must be sqlite (the default) or postgres.");

    /// <summary>The engine a Storage:Provider value names (empty means the default, SQLite); null when it names none.</summary>
    public static DatabaseProvider? ParseProvider(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => null,
    };

    /// <summary>Where the records are, for logs, health and the CLI: the SQLite file, or the PostgreSQL database and server (never a password).</summary>
    public string DescribeDatabase() => ResolveProvider() == DatabaseProvider.Postgres
        ? PostgresConnection.Describe(PostgresConnection.Require(this))
        : ResolveDatabasePath();

    public string ResolveDataDirectory() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory) ? InstallLayout.DefaultDataDirectory : DataDirectory);

    public string ResolveStoreDirectory() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(StoreDirectory) ? Path.Combine(ResolveDataDirectory(), "store") : StoreDirectory);

    public string ResolveDatabasePath() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(DatabasePath)
            ? Path.Combine(ResolveDataDirectory(), "qualityhub.db")
            : DatabasePath);
}
