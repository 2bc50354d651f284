namespace QualityHub.Data.Accounts;

/// <summary>The roles people and machine clients have; each page and endpoint names which it needs.</summary>
public static class QualityHubRoles
{
    public const string Admin = "Admin";
    public const string QualityManager = "QualityManager";
    public const string Modeler = "Modeler";
    public const string Planner = "Planner";
    public const string Viewer = "Viewer";

    /// <summary>Carries labeling work with outside vendors: labeling jobs and the datasets they make; approves no release.</summary>
    public const string DataCurator = "DataCurator";

    public static IReadOnlyList<string> All { get; } = [Admin, QualityManager, Modeler, Planner, DataCurator, Viewer];

    /// <summary>The name people read.</summary>
    public static string Title(string role) => role switch
    {
        QualityManager => "quality manager",
        DataCurator => "data curator",
        _ => role.ToLowerInvariant(),
    };
}

/// <summary>A machine client's key: only its SHA-256 is stored, with its first characters to tell keys apart.</summary>
public sealed class ApiKey
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }

    /// <summary>The key's first 8 characters, shown in lists; not enough to use it.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the key, lower-case hex.</summary>
    public required string Hash { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>One change someone made: who, what, to which record, when. Entries are only ever added.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string Target { get; set; }
    public string Details { get; set; } = "";
}
