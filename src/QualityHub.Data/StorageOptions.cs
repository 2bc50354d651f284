namespace QualityHub.Data;

/// <summary>Where QualityHub keeps its database and files (configuration section "Storage").</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Folder for the database and the blob store. Default: data/ in the repository (or beside the app when published).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The SQLite database file. Default: qualityhub.db in the data folder.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// Largest size the database may grow to, in MiB; 0 for no limit. A write past it fails the way a full disk
    /// does (SQLite's "database or disk is full"), so a quota protects the rest of the volume.
    /// </summary>
    public double MaxDatabaseMb { get; set; }

    public string ResolveDataDirectory() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory) ? InstallLayout.DefaultDataDirectory : DataDirectory);

    public string ResolveDatabasePath() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(DatabasePath)
            ? Path.Combine(ResolveDataDirectory(), "qualityhub.db")
            : DatabasePath);
}
