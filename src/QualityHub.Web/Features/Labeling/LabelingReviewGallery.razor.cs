using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Labeling;

/// <summary>The review of a job's latest delivery: decisions per disagreement, then the merge into the dataset's next version.</summary>
public sealed partial class LabelingReviewGallery
{
    private IReadOnlyList<DisagreementView>? rows;
    private MergeResult? merged;
    private string? problem;

    [Parameter, EditorRequired]
    public required LabelingJobView Job { get; set; }

    [Parameter]
    public EventCallback Changed { get; set; }

    [Inject]
    private LabelingDeliveries Deliveries { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = null!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = null!;

    private bool CanEdit { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        CanEdit = Job.Status is "delivered" or "reviewed" && (await Authorization.AuthorizeAsync(user, Policies.Curate)).Succeeded;
        try
        {
            rows = await Deliveries.DisagreementsAsync(Job.Id, null);
        }
        catch (LabelingException e)
        {
            (rows, problem) = ([], e.Message);
        }
    }

    private async Task DecideAsync(IReadOnlyList<DisagreementView> chosen, string decision)
    {
        if (chosen.Count == 0)
        {
            return;
        }

        problem = null;
        try
        {
            await Deliveries.ReviewAsync(Job.Id, null, new ReviewInput(chosen.Select(r => new ReviewDecisionInput(r.RowId, null, decision)).ToList()), await Actor.OfAsync(Authentication));
        }
        catch (LabelingException e)
        {
            problem = e.Message;
        }

        await Changed.InvokeAsync();
    }

    private async Task MergeAsync()
    {
        problem = null;
        try
        {
            merged = await Deliveries.MergeAsync(Job.Id, new MergeInput(), await Actor.OfAsync(Authentication));
        }
        catch (LabelingException e)
        {
            problem = e.Message;
        }

        await Changed.InvokeAsync();
    }

    private static string DecisionTitle(string decision) => decision switch
    {
        "acceptVendor" => "vendor's label accepted",
        "keepOurs" => "ours kept",
        _ => "ambiguous",
    };
}
