using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Features.Releases;

/// <summary>Every release with its metrics against the one before, a new draft, and what ran in production when.</summary>
public sealed partial class ReleasesPage
{
    private readonly NewReleaseForm form = new();
    private IReadOnlyList<ReleaseView>? releases;
    private IReadOnlyList<ModuleSummary>? modules;
    private IReadOnlyList<ModelVersionSummary> versions = [];
    private IReadOnlyList<ProductionPeriodView> production = [];
    private bool creating;
    private bool interactive;
    private IDisposable? subscription;
    private int reloadPending;

    [Inject]
    private ReleaseCatalog Catalog { get; set; } = null!;

    [Inject]
    private ModelCatalog Models { get; set; } = null!;

    [Inject]
    private EvaluationNotifier Notifier { get; set; } = null!;

    [Inject]
    private ReleaseDecisions Decisions { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    /// <summary>A candidate the release board sent here: the form picks it for its module, the rest as they ship now.</summary>
    [SupplyParameterFromQuery(Name = "candidate")]
    public int? Candidate { get; set; }

    protected override async Task OnInitializedAsync()
    {
        modules = await Models.GetModulesAsync();
        versions = await Models.GetVersionsAsync();
        await LoadAsync();
        form.PresetFrom(releases!);
        if (Candidate is { } id && versions.FirstOrDefault(v => v.Id == id) is { } candidate)
        {
            form.Pick(candidate.ModuleId, candidate.Id);
            form.Rationale = $"Ships {candidate.Name} for {candidate.Module}, as the release board proposes.";
        }

        subscription = Notifier.Subscribe(progress =>
        {
            if (progress.Status is RunStatus.Completed or RunStatus.Failed)
            {
                _ = ReloadSoonAsync();
            }
        });
    }

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
        releases = await Catalog.GetReleasesAsync();
        production = await Decisions.GetProductionHistoryAsync();
    }

    private async Task CreateAsync()
    {
        creating = true;
        try
        {
            var release = await Catalog.CreateAsync(form.Name, form.Rationale, form.VersionIds);
            form.Created();
            Snackbar.Add($"Draft release {release.Name} created.", Severity.Success);
            await LoadAsync();
        }
        catch (ReleaseException e)
        {
            // A refusal of the name or the versions shows on that field; any other is the form's.
            if (!form.Refuse(e))
            {
                Snackbar.Add(e.Message, Severity.Error);
            }
        }
        finally
        {
            creating = false;
        }
    }

    /// <summary>The chip colour of a release's status, on this page and on a release's own.</summary>
    internal static Color StatusStyle(ReleaseStatus status) => status switch
    {
        ReleaseStatus.Current => Color.Success,
        ReleaseStatus.Approved => Color.Info,
        ReleaseStatus.Superseded => Color.Default,
        _ => Color.Warning,
    };

    private static string ChangeClass(EntryChange c) =>
        c.SameVersion || !c.Significant ? "qh-delta-noise" : (c.HeadlineDelta ?? 0) >= 0 ? "qh-delta-better" : "qh-delta-worse";

    private async Task ReloadSoonAsync()
    {
        if (Interlocked.Exchange(ref reloadPending, 1) == 1)
        {
            return;
        }

        await Task.Delay(500);
        Volatile.Write(ref reloadPending, 0);
        try
        {
            var fresh = await Catalog.GetReleasesAsync();
            await InvokeAsync(() =>
            {
                releases = fresh;
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => subscription?.Dispose();
}
