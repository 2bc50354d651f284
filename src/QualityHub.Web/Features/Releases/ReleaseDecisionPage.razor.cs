using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QualityHub.Core.Requirements;

namespace QualityHub.Web.Features.Releases;

/// <summary>A release's checklist; on a draft, the quality manager waives what is open, signs off and approves.</summary>
public sealed partial class ReleaseDecisionPage
{
    private readonly ApprovalForm form = new();
    private ReleaseChecklist? checklist;
    private string notes = "";
    private bool notesStored;
    private bool approving;
    private bool loaded;
    private bool interactive;

    // Who signs off: the signed-in quality manager or admin, shown beside the sign-off and recorded as the approver.
    private string? signer;

    [Parameter]
    public int ReleaseId { get; set; }

    [Inject]
    private ReleaseDecisions Decisions { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    [Inject]
    private IDialogService Dialogs { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = null!;

    protected override async Task OnInitializedAsync() =>
        signer = (await Authentication.GetAuthenticationStateAsync()).User.Identity?.Name;

    protected override async Task OnParametersSetAsync() => await LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private async Task LoadAsync()
    {
        checklist = await Decisions.GetChecklistAsync(ReleaseId);
        if (checklist is not null && await Decisions.GetNotesAsync(ReleaseId) is { } n)
        {
            (notes, notesStored) = n;
        }

        loaded = true;
    }

    // Approving supersedes what runs in production and is recorded for good, so it is asked once more.
    private async Task ApproveAsync()
    {
        if (checklist is null)
        {
            return;
        }

        var confirmed = await Dialogs.ShowMessageBoxAsync(
            $"Approve release {checklist.Release}?",
            "It becomes the current release and goes to production; the current one is superseded. The approval, your name and every waiver reason are recorded in the release notes and cannot be undone.",
            yesText: "Approve",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        approving = true;
        try
        {
            checklist = await Decisions.ApproveAsync(ReleaseId, form.Request(), await Accounts.Actor.OfAsync(Authentication));
            (notes, notesStored) = (await Decisions.GetNotesAsync(ReleaseId))!.Value;
            Snackbar.Add($"Release {checklist.Release} is now current.", Severity.Success);
        }
        catch (ReleaseException e)
        {
            // The sign-off or one waiver's reason show on that field; open items and conflicts are the page's.
            if (!form.Refuse(e))
            {
                Snackbar.Add(e.Message, Severity.Error);
            }
        }
        finally
        {
            approving = false;
        }
    }

    private static string Outcome(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "fail",
        _ => "not measured",
    };
}
