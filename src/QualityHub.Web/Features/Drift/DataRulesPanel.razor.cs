using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QualityHub.Core.Drift;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Drift;

/// <summary>The Drift page's data validation card: the module's rules with their counts, their shares over time, and the rules editor for planners.</summary>
public sealed partial class DataRulesPanel
{
    private static readonly DriftDescriptor[] Editable =
        [DriftDescriptors.InputWidth, DriftDescriptors.InputHeight, DriftDescriptors.Brightness, DriftDescriptors.Contrast, DriftDescriptors.Blur, DriftDescriptors.Confidence];

    private List<RuleRow> rows = [];
    private string labels = "";
    private double alertPercent = 1;
    private string? problem;
    private bool editing;
    private PlotFigure figure = new([]);
    private DriftReport? shown;

    [Parameter, EditorRequired]
    public required DriftReport Report { get; set; }

    [Parameter]
    public bool Classifier { get; set; }

    /// <summary>Called after the rules were saved, so the page reloads its report.</summary>
    [Parameter]
    public EventCallback Saved { get; set; }

    [Inject]
    private DriftReports Reports { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = null!;

    [Inject]
    private IAuthorizationService Authorization { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    private bool CanEdit { get; set; }

    /// <summary>One descriptor's line in the editor.</summary>
    private sealed class RuleRow(DriftDescriptor descriptor)
    {
        public string Descriptor => descriptor.Name;
        public string Title => descriptor.Title;
        public double? Min { get; set; }
        public double? Max { get; set; }
        public double? MissingPercent { get; set; }
    }

    protected override async Task OnInitializedAsync()
    {
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        CanEdit = (await Authorization.AuthorizeAsync(user, Policies.Plan)).Succeeded;
    }

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(shown, Report))
        {
            return;
        }

        shown = Report;
        figure = DriftFigures.Violations(Report.Violations);
        Fill(Report.Rules ?? new DataRules());
    }

    private void Fill(DataRules rules)
    {
        labels = string.Join(", ", rules.Labels ?? []);
        alertPercent = rules.AlertShare * 100;
        rows = Editable.Select(d =>
        {
            var range = rules.Ranges?.GetValueOrDefault(d.Name);
            var missing = rules.MaxMissingShare?.TryGetValue(d.Name, out var share) == true ? share * 100 : (double?)null;
            return new RuleRow(d) { Min = range?.Min, Max = range?.Max, MissingPercent = missing };
        }).ToList();
    }

    private async Task SuggestAsync()
    {
        try
        {
            Fill(await Reports.SuggestRulesAsync(Report.ModuleId));
            problem = null;
        }
        catch (OnlineQueryException e)
        {
            problem = e.Message;
        }

        editing = true;
    }

    private async Task SaveAsync()
    {
        var incomplete = rows.FirstOrDefault(r => r.Min.HasValue != r.Max.HasValue);
        if (incomplete is not null)
        {
            problem = $"{incomplete.Title}: give both a minimum and a maximum, or neither.";
            return;
        }

        var rules = new DataRules
        {
            Labels = Classifier && labels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } set ? set : null,
            Ranges = rows.Where(r => r.Min.HasValue).ToDictionary(r => r.Descriptor, r => new ValueRange(r.Min!.Value, r.Max!.Value), StringComparer.Ordinal),
            MaxMissingShare = rows.Where(r => r.MissingPercent.HasValue).ToDictionary(r => r.Descriptor, r => r.MissingPercent!.Value / 100, StringComparer.Ordinal),
            AlertShare = alertPercent / 100,
        };
        try
        {
            await Reports.SetRulesAsync(Report.ModuleId, rules);
            problem = null;
            Snackbar.Add($"Data rules saved for {Report.Module}: {rules.Each().Count(DataRules.AppliesToEvents).ToString(CultureInfo.InvariantCulture)} checked on events from now on.", Severity.Success);
            await Saved.InvokeAsync();
        }
        catch (OnlineQueryException e)
        {
            problem = e.Message;
        }
    }

    private static string StatusText(string status) => status switch
    {
        DriftStatus.TooFew => "too few events",
        DriftStatus.Watch => "some broke it",
        _ => status,
    };
}
