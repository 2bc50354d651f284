using Microsoft.AspNetCore.Components;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Labeling;

/// <summary>The data curator's page: every labeling job with its money and flags, the vendors' figures, and a new job.</summary>
public sealed partial class LabelingPage
{
    private LabelingOverview? overview;
    private IReadOnlyList<FlaggedDataset> flagged = [];
    private PlotFigure spend = new([]);
    private PlotFigure gold = new([]);
    private bool interactive;

    [Inject]
    private LabelingJobs Jobs { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    /// <summary>From a gallery's "make a labeling job": the run whose gallery…</summary>
    [SupplyParameterFromQuery]
    public int? RunId { get; set; }

    /// <summary>…and the gallery's filter as its query string.</summary>
    [SupplyParameterFromQuery]
    public string? Filter { get; set; }

    /// <summary>From a ticket: the ticket whose regression set to label.</summary>
    [SupplyParameterFromQuery]
    public int? TicketId { get; set; }

    protected override async Task OnInitializedAsync()
    {
        flagged = await Jobs.FlaggedDatasetsAsync();
        overview = await Jobs.ListAsync();
        spend = LabelingCharts.Spend(overview.Vendors);
        gold = LabelingCharts.GoldAccuracy(overview.Vendors);
    }

    // Until the circuit renders, the page is the prerendered copy: what is clicked or typed there is lost (tests wait for this).
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private Task OpenAsync(LabelingJobView job)
    {
        Navigation.NavigateTo($"labeling/{job.Id}");
        return Task.CompletedTask;
    }

    internal static string Percent(double? share) => share is { } s ? s.ToString("P1") : "—";
}
