using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Core.Requirements;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Datasets;

namespace QualityHub.Web.Features.Requirements;

/// <summary>A module's requirements: the current version with its history, a form for the next version (refusals on their fields), the candidates' scorecard and the capacity planner.</summary>
public sealed partial class RequirementsPage
{
    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private RequirementCatalog Catalog { get; set; } = default!;

    [Inject]
    private DatasetCatalog Datasets { get; set; } = default!;

    [Inject]
    private CapacityStarts Capacity { get; set; } = default!;


    [Parameter] public int? ModuleId { get; set; }

    // Stored by name, shown as words ("cloud GPU", not "CloudGpu").
    private static readonly IReadOnlyList<Choice> ServingTargets = Enum.GetValues<ServingTarget>().Select(t => new Choice(t.ToString(), Formats.Enum(t))).ToList();

    private sealed record Choice(string Value, string Text);

    private IReadOnlyList<ModuleRequirementSummary>? modules;
    private ModuleRequirementSummary? selected;
    private ScorecardView? scorecard;
    private IReadOnlyList<RequirementView> history = [];
    private IReadOnlyList<DatasetSummary> testSets = [];
    private RequirementForm form = new();
    // The API's field names of the form's inputs: a refusal naming one shows on that input.
    private static readonly string[] FormFields =
    [
        "offlineP95Ms", "onlineP95Ms", "targetQps", "accuracyMetric", "accuracyThreshold", "accuracyDatasetId", "servingTarget",
        "gpuModel", "gpuMemoryGb", "cpu", "budgetPerMonth", "rationale",
    ];

    private readonly FieldErrors fieldErrors = new();

    // Refusals that name no single input (a requirement without any target), listed under the form.
    private IReadOnlyList<RequirementProblem> problems = [];
    private IReadOnlyList<CapacityStart> capacityStarts = [];
    private bool saving;
    private bool interactive;

    protected override async Task OnParametersSetAsync()
    {
        var all = await Catalog.GetModulesAsync();
        problems = [];
        fieldErrors.Clear();
        await LoadModuleAsync(all, ModuleId is { } id ? all.FirstOrDefault(m => m.ModuleId == id) : all.FirstOrDefault());
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    // Everything is read first and assigned together, so no render shows a module with half its state (the capacity
    // planner takes its starting values once, when it first appears).
    private async Task LoadModuleAsync(IReadOnlyList<ModuleRequirementSummary> all, ModuleRequirementSummary? module)
    {
        if (module is null)
        {
            (modules, selected) = (all, null);
            return;
        }

        var moduleHistory = await Catalog.GetHistoryAsync(module.ModuleId) ?? [];
        var card = await Catalog.GetScorecardAsync(module.ModuleId);
        var sets = (await Datasets.GetDatasetsAsync()).Where(d => d.ModuleId == module.ModuleId && d.Split == DatasetSplit.Test).ToList();

        // The planner starts from the candidates' measurements (memory, processing time, throughput) and this requirement.
        capacityStarts = await Capacity.ForModuleAsync(module.ModuleId);
        (modules, selected, history, scorecard, testSets) = (all, module, moduleHistory, card, sets);
        form = RequirementForm.From(history.FirstOrDefault());
    }

    // The comparison rule changed: the scorecard's "…under the module's rule" checks change with it.
    private async Task ReloadScorecardAsync()
    {
        if (selected is not null)
        {
            scorecard = await Catalog.GetScorecardAsync(selected.ModuleId);
        }
    }

    private async Task SaveAsync()
    {
        if (selected is null)
        {
            return;
        }

        saving = true;
        problems = [];
        fieldErrors.Clear();
        try
        {
            var created = await Catalog.CreateAsync(selected.ModuleId, form.ToInput(history.FirstOrDefault()?.Version));
            Snackbar.Add($"Saved version {created.Version} of the {selected.Module} requirement.", Severity.Success);
            var all = await Catalog.GetModulesAsync();
            await LoadModuleAsync(all, all.First(m => m.ModuleId == created.ModuleId));
        }
        catch (RequirementException e)
        {
            problems = e.Problems.Where(p => !fieldErrors.Set(p.Field, p.Message, FormFields)).ToList();
            if (e.Problems.Count == 0)
            {
                // Not about a field: another version was saved first, or the module is gone.
                Snackbar.Add(e.Message, Severity.Error);
            }
        }
        finally
        {
            saving = false;
        }
    }

    private static string OutcomeText(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "fail",
        _ => "not measured",
    };

    private static string Format(RequirementCheck check, double value) => check.Requirement switch
    {
        "Processing time p95" or "Online p95" => $"{value:0.###} ms",
        "Target QPS" => $"{value:N0} QPS per device",
        "Open blocker tickets" => $"{value:0}",
        _ => $"{value:0.####}",
    };

    private static string Targets(RequirementView r) => string.Join("; ", new[]
    {
        r.OfflineP95Ms is { } off ? $"offline p95 ≤ {off:0.###} ms" : null,
        r.OnlineP95Ms is { } on ? $"online p95 ≤ {on:0.###} ms" : null,
        r.AccuracyMetric is { } m ? $"{m} {(RequirementRules.Metric(m)?.HigherIsBetter == false ? "≤" : "≥")} {r.AccuracyThreshold:0.####} on {r.AccuracyDataset}" : null,
        r.TargetQps is { } q ? $"{q:0.##} QPS" : null,
    }.Where(s => s is not null));

    private static string Hardware(RequirementView r) => string.Join("; ", new[]
    {
        r.ServingTarget is { } target ? Formats.Enum(target) : null, r.GpuModel, r.GpuMemoryGb is { } g ? $"{g:0.##} GB GPU" : null, r.Cpu, r.BudgetPerMonth is { } b ? $"budget {b:N0}/month" : null,
    }.Where(s => s is not null));

    /// <summary>The form's fields, started from the current version so a change edits it.</summary>
    private sealed class RequirementForm
    {
        public double? OfflineP95Ms { get; set; }
        public double? OnlineP95Ms { get; set; }
        public string? AccuracyMetric { get; set; }
        public double? AccuracyThreshold { get; set; }
        public int? AccuracyDatasetId { get; set; }
        public double? TargetQps { get; set; }
        public string? ServingTarget { get; set; }
        public string? GpuModel { get; set; }
        public double? GpuMemoryGb { get; set; }
        public string? Cpu { get; set; }
        public decimal? BudgetPerMonth { get; set; }
        public string Rationale { get; set; } = "";

        public static RequirementForm From(RequirementView? r) => r is null ? new() : new()
        {
            OfflineP95Ms = r.OfflineP95Ms,
            OnlineP95Ms = r.OnlineP95Ms,
            AccuracyMetric = r.AccuracyMetric,
            AccuracyThreshold = r.AccuracyThreshold,
            AccuracyDatasetId = r.AccuracyDatasetId,
            TargetQps = r.TargetQps,
            ServingTarget = r.ServingTarget?.ToString(),
            GpuModel = r.GpuModel,
            GpuMemoryGb = r.GpuMemoryGb,
            Cpu = r.Cpu,
            BudgetPerMonth = r.BudgetPerMonth,
            Rationale = r.Rationale,
        };

        public RequirementInput ToInput(int? basedOn) => new(
            OfflineP95Ms, OnlineP95Ms, AccuracyMetric, AccuracyThreshold, AccuracyDatasetId, TargetQps, ServingTarget, GpuModel, GpuMemoryGb, Cpu,
            BudgetPerMonth, Rationale, basedOn);
    }
}
