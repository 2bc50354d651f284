using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Requirements;

/// <summary>Shows and (for planners) sets a text module's comparison rule.</summary>
public sealed partial class TextComparisonPanel
{
    private TextComparisonView? rule;
    private bool ignoreCase;
    private bool ignoreSpaces;
    private bool ignoreSeparators;
    private bool canEdit;

    [Inject]
    private RequirementCatalog Catalog { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = default!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    [Parameter, EditorRequired]
    public required int ModuleId { get; set; }

    /// <summary>The rule changed: the page reloads what depends on it (the scorecard).</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    private bool Changed => rule is { } r && (r.IgnoreCase, r.IgnoreSpaces, r.IgnoreSeparators) != (ignoreCase, ignoreSpaces, ignoreSeparators);

    protected override async Task OnParametersSetAsync()
    {
        if (rule?.ModuleId != ModuleId)
        {
            Show(await Catalog.GetTextComparisonAsync(ModuleId));
            var user = (await Authentication.GetAuthenticationStateAsync()).User;
            canEdit = (await Authorization.AuthorizeAsync(user, Policies.Plan)).Succeeded;
        }
    }

    private void Show(TextComparisonView? view)
    {
        rule = view;
        (ignoreCase, ignoreSpaces, ignoreSeparators) = view is null ? (false, false, false) : (view.IgnoreCase, view.IgnoreSpaces, view.IgnoreSeparators);
    }

    private async Task SaveAsync()
    {
        try
        {
            Show(await Catalog.SetTextComparisonAsync(ModuleId, new TextComparisonRequest(ignoreCase, ignoreSpaces, ignoreSeparators)));
            Snackbar.Add($"Outputs are now compared {rule!.Description}.", Severity.Success);
            await OnChanged.InvokeAsync();
        }
        catch (RequirementException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }
}
