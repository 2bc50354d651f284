using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data.Registry;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Accounts;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Models;

/// <summary>One model version: what its file declares, its status, and its model card to confirm or edit.</summary>
public sealed partial class ModelDetailPage
{
    private ModelVersionDetail? detail;
    private bool loaded;
    private bool editing;
    private bool showRawCard;
    private string cardDraft = "";
    private string? cardError;

    [Parameter]
    public int Id { get; set; }

    [Inject]
    private ModelCatalog Catalog { get; set; } = null!;

    [Inject]
    private ModelRegistry Registry { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    protected override async Task OnParametersSetAsync()
    {
        detail = await Catalog.GetVersionAsync(Id);
        editing = false;
        cardError = null;
        loaded = true;
    }

    private void StartEdit()
    {
        editing = true;
        cardDraft = detail?.ModelCardJson ?? "";
        cardError = null;
    }

    private void CancelEdit()
    {
        editing = false;
        cardError = null;
    }

    // A refused card stays in the editor with the reason on it; nothing is saved.
    private async Task SaveCardAsync()
    {
        try
        {
            await Registry.UpdateCardAsync(Id, cardDraft);
        }
        catch (RegistrationException e) when (e.Field == "card")
        {
            cardError = e.Message;
            return;
        }
        catch (RegistrationException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return;
        }

        editing = false;
        detail = await Catalog.GetVersionAsync(Id);
        Snackbar.Add("Card saved.", Severity.Success);
    }

    [CascadingParameter]
    private Task<AuthenticationState>? Authentication { get; set; }

    [Inject]
    private IAuthorizationService Authorization { get; set; } = default!;

    private async Task SetStatusAsync(ModelStatus status)
    {
        // The same rule as PUT /api/models/{id}/status: retiring is a quality manager's or an admin's call.
        if (status == ModelStatus.Retired && (Authentication is null || !(await Authorization.AuthorizeAsync((await Authentication).User, Policies.Approve)).Succeeded))
        {
            Snackbar.Add("A version is retired by a quality manager or an admin.", Severity.Warning);
            return;
        }

        try
        {
            await Registry.SetStatusAsync(Id, status);
            Snackbar.Add($"{detail?.Summary.Name} is now {Formats.Enum(status)}.", Severity.Success);
        }
        catch (RegistrationException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        detail = await Catalog.GetVersionAsync(Id);
    }

    [Inject]
    private ModelQuarantine Quarantine { get; set; } = null!;

    // The same rule as DELETE /api/models/{id}/quarantine: a quality manager's or an admin's call.
    private async Task LiftQuarantineAsync()
    {
        if (Authentication is null || !(await Authorization.AuthorizeAsync((await Authentication).User, Policies.Approve)).Succeeded)
        {
            Snackbar.Add("A quarantine is lifted by a quality manager or an admin.", Severity.Warning);
            return;
        }

        if (detail is not null && Quarantine.Lift(detail.Summary.Sha256))
        {
            Snackbar.Add($"{detail.Summary.Name} may run again; a crash of the worker counts against it afresh.", Severity.Success);
        }

        detail = await Catalog.GetVersionAsync(Id);
    }

    private static string Facts(ModelVersionDetail d)
    {
        var s = d.Summary;
        var parameters = s.ParameterCount is { } p ? $"{p:N0} parameters" : "parameters not counted (weights outside initializers)";
        var producer = s.Producer is null ? "" : $" · {s.Producer}";
        return $"{Formats.Bytes(s.SizeBytes)} · {parameters} · opset {s.Opset?.ToString() ?? "?"} · IR {d.IrVersion} · {d.NodeCount} nodes{producer}";
    }

    // A recogniser's charset runs to thousands of entries; the page shows its start.
    private static string Shorten(string json) => json.Length <= 4000 ? json : json[..4000] + "\n… (" + (json.Length - 4000).ToString("N0") + " more characters)";
}
