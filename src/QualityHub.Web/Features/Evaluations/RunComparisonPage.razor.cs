using Microsoft.AspNetCore.Components;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>Two or more runs side by side: headline and processing time against the baseline, the paired test and the regressions and fixes.</summary>
public sealed partial class RunComparisonPage
{
    [Inject]
    private RunComparer Comparer { get; set; } = default!;


    [SupplyParameterFromQuery(Name = "ids")]
    public string? Ids { get; set; }

    private RunComparison? comparison;
    private string? error;

    private string HeadlineName => comparison?.Runs[0].Summary.HeadlineName ?? "accuracy";

    private PlotFigure LatencyFigure => RunCharts.ProcessingTimePerRun(comparison!.Runs.Select(r => ($"#{r.Summary.Id} {r.Summary.Version}", r.Metrics?.ProcessingTime)).ToList());

    // Links clicked in the prerendered copy are lost while the circuit starts (tests wait for this).
    private bool interactive;

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        error = null;
        comparison = null;
        var ids = new List<int>();
        foreach (var part in (Ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out var id))
            {
                error = $"'{part}' is not a run id.";
                return;
            }

            ids.Add(id);
        }

        try
        {
            comparison = await Comparer.CompareAsync(ids);
        }
        catch (EvaluationException e)
        {
            error = e.Message;
        }
    }

    private static string DeltaClass(PairedResult pair, double delta) =>
        !pair.Significant ? "qh-delta-noise" : delta > 0 ? "qh-delta-better" : "qh-delta-worse";
}
