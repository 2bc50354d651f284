using MudBlazor;

namespace QualityHub.Web.Components.Layout;

/// <summary>One area of the portal as the navigation shows it; the icon is a MudBlazor SVG icon.</summary>
public sealed record AppArea(string Title, string Path, string Icon, string Purpose)
{
    /// <summary>Every area, in navigation order, each with one line on what it is for.</summary>
    public static IReadOnlyList<AppArea> All { get; } =
    [
        new("Overview", "", Icons.Material.Filled.Dashboard, "What is registered and running, at a glance."),
        new("Compare", "compare", Icons.Material.Filled.Compare, "Live side-by-side inference: the same input through several candidate models, answers as they arrive."),
        new("Evaluations", "evaluations", Icons.Material.Filled.Analytics, "Offline evaluation runs on test sets: accuracy, edit distance, latency and throughput, with confidence intervals."),
        new("Gallery", "gallery", Icons.Material.Filled.PhotoLibrary, "Error galleries: where and why each model fails, slice by slice and sample by sample."),
        new("Releases", "releases", Icons.Material.Filled.RocketLaunch, "Releases: one model version per module, their metrics against the previous release, and the release decision."),
        new("Online", "online", Icons.Material.Filled.MonitorHeart, "Online metrics per release: how often users correct the output, latency online against offline, traffic; live."),
        new("Drift", "drift", Icons.Material.Filled.Insights, "Drift: whether production's inputs and outputs still look like the test set's, per release, with the evidence and a retraining request."),
        new("Tickets", "tickets", Icons.Material.Filled.SupportAgent, "VOC tickets: customers' complaints about model output, reproduced against the current candidates."),
        new("Requirements", "requirements", Icons.Material.Filled.Rule, "Requirements per module: processing time, target accuracy, QPS, serving target and hardware, with a scorecard."),
        new("Labeling", "labeling", Icons.Material.Filled.Label, "Labeling jobs with outside vendors: flagged samples and failures sent with a guide, the labels checked against gold items, reviewed and merged into a new dataset version."),
        new("Datasets", "datasets", Icons.Material.Filled.Dataset, "Datasets: kinds and quantities, labels, where they came from and their licence."),
        new("Pipelines", "pipelines", Icons.Material.Filled.AccountTree, "Pipelines of modules (a card photo in, its number and expiry out): versions by their stages, a photo through several versions side by side."),
        new("Models", "models", Icons.Material.Filled.ModelTraining, "Modules and their model versions: ONNX files, model cards, status from candidate to released."),
    ];
}
