using Microsoft.AspNetCore.Components;
using QualityHub.Data.Registry;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>The pipelines, their versions by stage with their latest runs, and one photo read by several versions side by side (<see cref="PipelineReadPanel"/>).</summary>
public sealed partial class PipelinesPage
{
    [Inject]
    private PipelineRegistry Registry { get; set; } = default!;

    [Inject]
    private PipelineRunCatalog Catalog { get; set; } = default!;

    private IReadOnlyList<PipelineInfo>? pipelines;
    private IReadOnlyDictionary<int, PipelineRunLine> runs = new Dictionary<int, PipelineRunLine>();

    protected override async Task OnInitializedAsync()
    {
        pipelines = await Registry.ListAsync();
        runs = await Catalog.LatestRunsAsync();
    }
}
