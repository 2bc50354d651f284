using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Gallery;

/// <summary>Where galleries start: each module's latest runs with their error counts, and a run picker.</summary>
public sealed partial class GalleryHomePage
{
    [Inject]
    private EvaluationCatalog Catalog { get; set; } = default!;

    [Inject]
    private SampleReviews Reviews { get; set; } = default!;


    private IReadOnlyList<RunSummary>? runs;
    private IReadOnlyList<(int ModuleId, string Module, IReadOnlyList<ErrorTagView> Tags)> taxonomies = [];
    private readonly Dictionary<int, string?> drafts = [];
    private ErrorTagView? confirming;
    private string? error;

    protected override async Task OnInitializedAsync()
    {
        runs = (await Catalog.GetRunsAsync()).Where(r => r.Status == RunStatus.Completed).ToList();
        taxonomies = await Reviews.GetTaxonomiesAsync();
    }

    // The headline counts answered-and-right over all samples, so failures (wrong or errored) are the rest.
    private static string Failures(RunSummary r) => r.Headline is { } h ? (r.Done - (int)Math.Round(h.Value * r.Done)).ToString("N0") : "—";

    private async Task CreateAsync(int moduleId)
    {
        try
        {
            await Reviews.CreateTagAsync(moduleId, drafts.GetValueOrDefault(moduleId));
            drafts[moduleId] = null;
            error = null;
            taxonomies = await Reviews.GetTaxonomiesAsync();
        }
        catch (GalleryException e)
        {
            error = e.Message;
        }
    }

    private async Task DeleteAsync(int moduleId, ErrorTagView tag, bool confirmed = false)
    {
        if (tag.Samples > 0 && !confirmed)
        {
            confirming = tag;
            return;
        }

        try
        {
            await Reviews.DeleteTagAsync(moduleId, tag.Id);
            error = null;
        }
        catch (GalleryException e)
        {
            error = e.Message;
        }

        confirming = null;
        taxonomies = await Reviews.GetTaxonomiesAsync();
    }
}
