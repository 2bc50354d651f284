using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Labeling;

/// <summary>One labeling job: its figures and status moves, the guide, the vendor's questions, deliveries, review and merge.</summary>
public sealed partial class LabelingJobPage
{
    private LabelingJobDetail? detail;
    private string? missing;
    private string? problem;
    private bool interactive;

    [Parameter]
    public int Id { get; set; }

    [Inject]
    private LabelingJobs Jobs { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = null!;

    protected override Task OnParametersSetAsync() => ReloadAsync();

    // Until the circuit renders, the page is the prerendered copy: what is clicked or typed there is lost (tests wait for this).
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            detail = await Jobs.GetAsync(Id);
            missing = null;
        }
        catch (LabelingException e) when (e.Status == 404)
        {
            (detail, missing) = (null, e.Message);
        }
    }

    private async Task MoveAsync(string status)
    {
        problem = null;
        try
        {
            await Jobs.UpdateAsync(Id, new LabelingJobPatch(Status: status), await Actor.OfAsync(Authentication));
        }
        catch (LabelingException e)
        {
            problem = e.Message;
        }

        await ReloadAsync();
    }

    private static string MoveTitle(string status) => status switch
    {
        "sent" => "Mark as sent to the vendor",
        "inProgress" => "Mark as in progress",
        "cancelled" => "Cancel the job",
        _ => status,
    };
}
