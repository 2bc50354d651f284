namespace QualityHub.Core.Domain;

/// <summary>One production outcome of a module in a release: what it answered, how fast, and whether the user corrected it.</summary>
public sealed class OnlineEvent
{
    public long Id { get; set; }

    /// <summary>The sender's id for the event; unique, so a batch sent twice is counted once.</summary>
    public required string EventId { get; set; }
    public int ReleaseId { get; set; }
    public int ModuleId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public double LatencyMs { get; set; }
    public string? Predicted { get; set; }
    public bool Corrected { get; set; }
    public string? CorrectedValue { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>
/// Online events of one release and module in one minute or hour, summed as they arrive: charts read these, never the
/// raw events.
/// </summary>
public sealed class OnlineAggregate
{
    public const int MinuteSeconds = 60;
    public const int HourSeconds = 3600;

    public int ModuleId { get; set; }

    /// <summary>60 (minute rows) or 3600 (hour rows).</summary>
    public int BucketSeconds { get; set; }
    public DateTimeOffset BucketStart { get; set; }
    public int ReleaseId { get; set; }
    public long Count { get; set; }
    public long Corrections { get; set; }
    public double LatencySumMs { get; set; }

    /// <summary>Counts per bucket of QualityHub.Core.Metrics.LatencyHistogram, as its byte form.</summary>
    public byte[] LatencyHistogram { get; set; } = [];
}
