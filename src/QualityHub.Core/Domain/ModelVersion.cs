namespace QualityHub.Core.Domain;

/// <summary>One trained model of a module, stored once by content hash.</summary>
public sealed class ModelVersion
{
    public int Id { get; set; }
    public int ModuleId { get; set; }
    public Module? Module { get; set; }

    /// <summary>The version name people use, unique within the module (e.g. "cnn-small-v2").</summary>
    public required string Name { get; set; }
    public ModelStatus Status { get; set; } = ModelStatus.Candidate;

    /// <summary>SHA-256 of the ONNX file, lower-case hex: the key of the blob in the model store.</summary>
    public required string Sha256 { get; set; }
    public required string FileName { get; set; }
    public long SizeBytes { get; set; }
    public string? Producer { get; set; }
    public long? Opset { get; set; }
    public long? ParameterCount { get; set; }

    /// <summary>The confirmed model card (task adapter settings, labels), as JSON.</summary>
    public string? ModelCardJson { get; set; }
    public string Notes { get; set; } = "";

    public int? TrainedOnDatasetId { get; set; }
    public Dataset? TrainedOnDataset { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Where a model version stands in its life. Only an approved release makes a version Released, and the versions it
/// replaces Superseded (kept, shown, and a candidate again for a rollback); people move versions between Candidate
/// and Retired only.
/// </summary>
public enum ModelStatus
{
    Candidate = 1,
    Released = 2,
    Retired = 3,
    Superseded = 4,
}

/// <summary>Which status changes a person may make by hand.</summary>
public static class ModelStatusRules
{
    /// <summary>True for the statuses a person sets (Candidate, Retired); Released and Superseded follow releases.</summary>
    public static bool SetByHand(ModelStatus status) => status is ModelStatus.Candidate or ModelStatus.Retired;

    public const string ReleaseOnly = "Only an approved release makes a version released, and it supersedes the versions it replaces; set candidate or retired.";
}
