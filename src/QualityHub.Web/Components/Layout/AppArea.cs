namespace QualityHub.Web.Components.Layout;

/// <summary>One area of the portal as the navigation shows it.</summary>
public sealed record AppArea(string Title, string Path, string Icon, string Purpose)
{
    /// <summary>Every area, in navigation order, each with one line on what it is for.</summary>
    public static IReadOnlyList<AppArea> All { get; } =
    [
        new("Overview", "", "dashboard", "What is registered and running, at a glance."),
        new("Compare", "compare", "compare", "Live side-by-side inference: the same input through several candidate models, answers as they arrive."),
        new("Evaluations", "evaluations", "analytics", "Offline evaluation runs on test sets: accuracy, edit distance, latency and throughput, with confidence intervals."),
        new("Gallery", "gallery", "photo_library", "Error galleries: where and why each model fails, slice by slice and sample by sample."),
        new("Releases", "releases", "rocket_launch", "Releases: one model version per module, their metrics against the previous release, and the release decision."),
        new("Online", "online", "monitoring", "Online metrics per release: how often users correct the output, latency online against offline, traffic; live."),
        new("Tickets", "tickets", "support_agent", "VOC tickets: customers' complaints about model output, reproduced against the current candidates."),
        new("Requirements", "requirements", "rule", "Requirements per module: processing time, target accuracy, QPS, serving target and hardware, with a scorecard."),
        new("Datasets", "datasets", "dataset", "Datasets: kinds and quantities, labels, where they came from and their licence."),
        new("Models", "models", "model_training", "Modules and their model versions: ONNX files, model cards, status from candidate to released."),
    ];
}
