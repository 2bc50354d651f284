namespace QualityHub.Web.Features.Online;

/// <summary>The Online section: limits of POST /api/events, the demo stream and alert thresholds.</summary>
public sealed class OnlineOptions
{
    public const string SectionName = "Online";

    /// <summary>Most events one POST /api/events may carry.</summary>
    public int MaxBatchEvents { get; set; } = 10_000;

    /// <summary>Largest body of POST /api/events; 10,000 events of ~250 bytes each fit four times over.</summary>
    public int MaxBatchMb { get; set; } = 10;

    /// <summary>How far an event's timestamp may lie ahead of the server's clock (senders' clocks drift a little).</summary>
    public int MaxClockSkewMinutes { get; set; } = 5;

    /// <summary>On the first start of a fresh install, generate a synthetic demo event stream for the demo releases.</summary>
    public bool DemoEvents { get; set; } = true;

    public OnlineAlertOptions Alerts { get; set; } = new();
}

/// <summary>
/// Online:Alerts — per-module thresholds that stand in for requirements until the requirements issue brings them.
/// A module not named under Modules, or a threshold not set there, falls back to Default.
/// </summary>
public sealed class OnlineAlertOptions
{
    /// <summary>The window an alert looks at, ending now.</summary>
    public int WindowMinutes { get; set; } = 60;

    /// <summary>Fewer events than this in the window say too little to alert on.</summary>
    public int MinEvents { get; set; } = 20;

    public AlertThreshold Default { get; set; } = new() { MaxCorrectionRate = 0.15, MaxP95LatencyMs = 250 };

    /// <summary>Thresholds by module name.</summary>
    public Dictionary<string, AlertThreshold> Modules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The thresholds that apply to a module, field by field.</summary>
    public AlertThreshold For(string module) => Modules.TryGetValue(module, out var own)
        ? new AlertThreshold
        {
            MaxCorrectionRate = own.MaxCorrectionRate ?? Default.MaxCorrectionRate,
            MaxP95LatencyMs = own.MaxP95LatencyMs ?? Default.MaxP95LatencyMs,
        }
        : Default;
}

/// <summary>Limits of one module's online metrics; null means not checked.</summary>
public sealed class AlertThreshold
{
    /// <summary>Largest acceptable share of outputs users correct (0…1).</summary>
    public double? MaxCorrectionRate { get; set; }

    /// <summary>Largest acceptable 95th-percentile latency, in milliseconds.</summary>
    public double? MaxP95LatencyMs { get; set; }
}
