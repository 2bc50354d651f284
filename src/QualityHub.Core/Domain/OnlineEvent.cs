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

    /// <summary>The model's confidence in its answer, 0–1, when the service sent it.</summary>
    public double? Confidence { get; set; }

    /// <summary>The model's top labels and scores as JSON (<c>[{"label":"…","score":0.9},…]</c>), when sent.</summary>
    public string? TopKJson { get; set; }

    /// <summary>What the input looked like (QualityHub.Client's InputDescriber), each when sent.</summary>
    public int? InputWidth { get; set; }
    public int? InputHeight { get; set; }
    public double? Brightness { get; set; }
    public double? Contrast { get; set; }
    public double? Blur { get; set; }

    /// <summary>A service's own numeric features of the input, as a JSON array of up to 32 numbers.</summary>
    public string? FeaturesJson { get; set; }
}

/// <summary>
/// The distribution of one drift descriptor over one module's events of one release in one hour (counts and
/// corrections per bin, <see cref="Drift.DriftHistogram"/>), summed as events arrive, like <see cref="OnlineAggregate"/>.
/// </summary>
public sealed class DriftAggregate
{
    public int ModuleId { get; set; }
    public DateTimeOffset HourStart { get; set; }
    public int ReleaseId { get; set; }
    public required string Descriptor { get; set; }
    public long Events { get; set; }

    /// <summary>The bins as <see cref="Drift.DriftHistogram.ToJson"/> writes them.</summary>
    public required string Bins { get; set; }
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
