using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>Evaluation runs: start one (refusals on their fields), follow the running ones live, pick runs to compare.</summary>
public sealed partial class EvaluationsPage : IDisposable
{
    [Inject]
    private EvaluationCatalog Catalog { get; set; } = default!;

    [Inject]
    private EvaluationJobs Jobs { get; set; } = default!;

    [Inject]
    private EvaluationNotifier Notifier { get; set; } = default!;

    [Inject]
    private ModelCatalog Models { get; set; } = default!;

    [Inject]
    private DatasetCatalog Datasets { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    private sealed record VersionChoice(int Id, int ModuleId, string Text);

    private sealed record DatasetChoice(int Id, int? ModuleId, string Text, DatasetSplit Split);

    private IReadOnlyList<RunSummary>? runs;
    private List<VersionChoice> versions = [];
    private List<DatasetChoice> datasets = [];
    private readonly List<int> selected = [];
    private int? versionId;
    private int? datasetId;
    private bool starting;
    private bool interactive;
    // The server's refusal of a start, on the field it names (modelVersionId, datasetId).
    private readonly FieldErrors errors = new();
    private IDisposable? subscription;
    private int reloadPending;

    private IEnumerable<DatasetChoice> DatasetChoices =>
        versionId is { } id && versions.FirstOrDefault(v => v.Id == id) is { } v ? datasets.Where(d => d.ModuleId == v.ModuleId) : datasets;

    protected override async Task OnInitializedAsync()
    {
        var modules = (await Models.GetModulesAsync()).ToDictionary(m => m.Id, m => m.Name);
        versions = (await Models.GetVersionsAsync())
            .Select(v => new VersionChoice(v.Id, v.ModuleId, $"{modules.GetValueOrDefault(v.ModuleId)}/{v.Name}")).OrderBy(v => v.Text).ToList();
        datasets = (await Datasets.GetDatasetsAsync())
            .Select(d => new DatasetChoice(d.Id, d.ModuleId, $"{d.Name} ({d.Split.ToString().ToLowerInvariant()}, {d.Samples:N0})", d.Split)).ToList();
        runs = await Catalog.GetRunsAsync();
        subscription = Notifier.Subscribe(progress => _ = ReloadSoonAsync());
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private void PickDefaultDataset()
    {
        errors.Clear();
        if (datasetId is { } current && DatasetChoices.Any(d => d.Id == current))
        {
            return;
        }

        datasetId = DatasetChoices.OrderBy(d => d.Split == DatasetSplit.Test ? 0 : 1).Select(d => (int?)d.Id).FirstOrDefault();
    }

    private async Task StartAsync()
    {
        if (versionId is not { } version || datasetId is not { } dataset)
        {
            return;
        }

        starting = true;
        errors.Clear();
        try
        {
            var run = await Jobs.EnqueueAsync(version, dataset);
            Snackbar.Add($"Run #{run.Id} is queued: {Label(version)} on {DatasetChoices.FirstOrDefault(d => d.Id == dataset)?.Text}.", Severity.Success);
            runs = await Catalog.GetRunsAsync();
        }
        catch (QualityHub.Data.Evaluations.EvaluationException e)
        {
            if (!errors.Set(e.Field, e.Message, "modelVersionId", "datasetId"))
            {
                Snackbar.Add(e.Message, Severity.Warning);
            }
        }
        finally
        {
            starting = false;
        }
    }

    private string Label(int versionId) => versions.FirstOrDefault(v => v.Id == versionId)?.Text ?? $"version {versionId}";

    // A cancel keeps the predictions written so far but stops the run for good: asked first.
    private async Task CancelAsync(RunSummary run)
    {
        var sure = await Dialogs.ShowMessageBoxAsync(
            $"Cancel run #{run.Id}?",
            $"{run.Module}/{run.Version} on {run.Dataset} stops at {run.Done:N0} of {run.Total:N0} samples; it cannot be resumed.",
            yesText: "Cancel the run", cancelText: "Keep it running");
        if (sure != true)
        {
            return;
        }

        await Jobs.CancelAsync(run.Id);
        Snackbar.Add($"Run #{run.Id} is cancelled.", Severity.Info);
        runs = await Catalog.GetRunsAsync();
    }

    private void Toggle(int id, bool on)
    {
        selected.Remove(id);
        if (on)
        {
            selected.Add(id);
        }
    }

    private void CompareSelected() => Navigation.NavigateTo($"evaluations/compare?ids={string.Join(',', selected)}");

    /// <summary>Progress arrives many times a second; the list reloads once per 400 ms of reports, after the last one too.</summary>
    private async Task ReloadSoonAsync()
    {
        if (Interlocked.Exchange(ref reloadPending, 1) == 1)
        {
            return;
        }

        await Task.Delay(400);
        Volatile.Write(ref reloadPending, 0);
        try
        {
            var fresh = await Catalog.GetRunsAsync();
            await InvokeAsync(() =>
            {
                runs = fresh;
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The page closed meanwhile.
        }
    }

    public void Dispose() => subscription?.Dispose();
}
