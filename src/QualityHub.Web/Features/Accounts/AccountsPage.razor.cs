using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Accounts;

/// <summary>The admin page: accounts and their roles, API keys, and the audit log paged on the server.</summary>
public partial class AccountsPage
{
    private const int AuditPageSize = 25;
    private static readonly string[] AccountFields = ["email", "password", "role"];
    private static readonly string[] KeyFields = ["name", "role"];

    private readonly FieldErrors accountErrors = new();
    private readonly FieldErrors keyErrors = new();
    private IReadOnlyList<UserView> users = [];
    private IReadOnlyList<ApiKeyView> keys = [];
    private MudDataGrid<AuditEntry>? auditGrid;
    private int auditTotal;
    private string? auditText;
    private string newEmail = "";
    private string newPassword = "";
    private string newRole = QualityHubRoles.Viewer;
    private string keyName = "";
    private string keyRole = QualityHubRoles.Modeler;
    private string? newSecret;
    private bool interactive;

    [Inject]
    private AccountDirectory Accounts { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    private static string RoleTitle(string? role) => role is null ? "" : QualityHubRoles.Title(role);

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        // The count is part of the page (and its prerender); the grid asks for its own pages.
        auditTotal = (await Accounts.GetAuditAsync(new AuditQuery(0, 0))).Total;
    }

    // Until the circuit renders, the page is the prerendered copy: what is typed there is lost (tests wait for this).
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
        users = await Accounts.GetUsersAsync();
        keys = await Accounts.GetKeysAsync();
    }

    private static void Edit(FieldErrors errors, string field, Action set)
    {
        set();
        errors.Clear(field);
    }

    private async Task AddUserAsync()
    {
        accountErrors.Clear();
        var result = await Accounts.CreateUserAsync(newEmail, newPassword, newRole);
        if (result.Error is { } error)
        {
            if (!accountErrors.Set(result.Field, error, AccountFields))
            {
                Snackbar.Add(error, Severity.Error);
            }

            return;
        }

        Snackbar.Add($"Added {result.User!.Email} as {QualityHubRoles.Title(newRole)}.", Severity.Success);
        (newEmail, newPassword) = ("", "");
        await RefreshAsync();
    }

    private async Task SetRoleAsync(UserView user, string? role)
    {
        if (await Accounts.SetRoleAsync(user.Id, role) is { } refusal)
        {
            Snackbar.Add(refusal.Message, Severity.Error);
        }
        else
        {
            Snackbar.Add($"{user.Email} is now {RoleTitle(role)}.", Severity.Success);
        }

        // Also puts a refused role back in its select.
        await RefreshAsync();
    }

    private async Task AddKeyAsync()
    {
        keyErrors.Clear();
        var made = await Accounts.CreateKeyAsync(keyName, keyRole, AuditActor.Name ?? "admin");
        if (made.Error is { } error)
        {
            if (!keyErrors.Set(made.Field, error, KeyFields))
            {
                Snackbar.Add(error, Severity.Error);
            }

            return;
        }

        Snackbar.Add($"Made the key '{made.Key!.Name}' ({QualityHubRoles.Title(made.Key.Role)}).", Severity.Success);
        (newSecret, keyName) = (made.Secret, "");
        await RefreshAsync();
    }

    // A revoked key stops working at once for whoever uses it, so the admin confirms first.
    private async Task RevokeAsync(ApiKeyView key)
    {
        var sure = await Dialogs.ShowMessageBoxAsync(
            "Revoke the API key?", $"'{key.Name}' ({key.Prefix}…) stops working at once; it cannot be turned back on.", yesText: "Revoke", cancelText: "Cancel");
        if (sure != true)
        {
            return;
        }

        if (await Accounts.RevokeKeyAsync(key.Id))
        {
            Snackbar.Add($"Revoked '{key.Name}'.", Severity.Success);
        }
        else
        {
            Snackbar.Add($"'{key.Name}' was revoked already.", Severity.Warning);
        }

        await RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        await LoadAsync();
        if (auditGrid is not null)
        {
            await auditGrid.ReloadServerData();
        }
    }

    private async Task SearchAuditAsync(string? text)
    {
        auditText = text;
        if (auditGrid is not null)
        {
            auditGrid.NavigateTo(Page.First);
            await auditGrid.ReloadServerData();
        }
    }

    // One page of the log from the server, in the grid's order, with the search above.
    private async Task<GridData<AuditEntry>> LoadAuditAsync(GridState<AuditEntry> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var by = sort?.SortBy switch
        {
            nameof(AuditEntry.Actor) => AuditSort.Actor,
            nameof(AuditEntry.Action) => AuditSort.Action,
            nameof(AuditEntry.Target) => AuditSort.Target,
            _ => AuditSort.When,
        };
        var page = await Accounts.GetAuditAsync(new AuditQuery(state.Page * state.PageSize, state.PageSize, auditText, by, sort?.Descending ?? true), cancellationToken);
        if (page.Total != auditTotal && auditText is null or "")
        {
            auditTotal = page.Total;
            _ = InvokeAsync(StateHasChanged);
        }

        return new GridData<AuditEntry> { Items = page.Items, TotalItems = page.Total };
    }
}
