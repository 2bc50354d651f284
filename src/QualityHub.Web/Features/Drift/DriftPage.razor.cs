using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Core.Drift;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Drift;

/// <summary>
/// /drift: is production still the world the test set describes? A module's drift per release against its reference
/// run over time, the distributions side by side for any point clicked, correction rates by label and confidence.
/// </summary>
public sealed partial class DriftPage : IDisposable
{
    private static readonly IReadOnlyDictionary<string, TimeSpan> Ranges = new Dictionary<string, TimeSpan>
    {
        ["3d"] = TimeSpan.FromDays(3),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
        ["90d"] = TimeSpan.FromDays(90),
    };

    private readonly CancellationTokenSource stop = new();
    private List<OnlineModule>? modules;
    private int moduleId;
    private string? release;
    private string range = "7d";
    private string kind = DriftMeasureKind.Psi;
    private DriftReport? report;
    private PlotFigure overTime = new([]);
    private DriftSelection? selected;
    private DriftDistribution? distribution;
    private PlotFigure distributionFigure = new([]);
    private string? error;
    private IReadOnlyList<RetrainingRequestView> requests = [];

    [Inject]
    private DriftReports Reports { get; set; } = null!;

    [Inject]
    private OnlineMetrics Metrics { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    [Inject]
    private RetrainingRequests Retraining { get; set; } = null!;

    [Inject]
    private Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider Authentication { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    [SupplyParameterFromQuery(Name = "module")]
    public string? ModuleQuery { get; set; }

    [SupplyParameterFromQuery(Name = "release")]
    public string? ReleaseQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    public string? RangeQuery { get; set; }

    /// <summary>A descriptor and the window whose distribution is shown.</summary>
    private sealed record DriftSelection(string Descriptor, string Title, DateTimeOffset From, DateTimeOffset To);

    protected override async Task OnInitializedAsync()
    {
        modules = [.. await Metrics.GetModulesAsync(stop.Token)];
        range = RangeQuery is { } r && Ranges.ContainsKey(r) ? r : "7d";
        release = string.IsNullOrWhiteSpace(ReleaseQuery) ? null : ReleaseQuery;
        var chosen = modules.FirstOrDefault(m => m.Name == ModuleQuery || m.Id.ToString() == ModuleQuery) ?? modules.FirstOrDefault();
        if (chosen is not null)
        {
            moduleId = chosen.Id;
            await LoadAsync();
        }
    }

    private bool Classifier => report?.Task == Core.Domain.TaskType.ImageClassification;

    private string ModuleName => modules?.FirstOrDefault(m => m.Id == moduleId)?.Name ?? "";

    private async Task ChooseModuleAsync(int id)
    {
        (moduleId, release) = (id, null);
        await LoadAsync();
        RememberChoice();
    }

    private async Task ChooseReleaseAsync(string value)
    {
        release = value;
        await LoadAsync();
        RememberChoice();
    }

    private async Task ChooseRangeAsync(string value)
    {
        range = value;
        await LoadAsync();
        RememberChoice();
    }

    private void ChooseKind(string value)
    {
        kind = value;
        overTime = report is null ? new([]) : DriftFigures.OverTime(report, kind);
    }

    // The address keeps what the user chose (never while the page first renders: that would redirect to itself).
    private void RememberChoice()
    {
        if (report is not null)
        {
            Navigation.NavigateTo(DriftLinks.Page(report, range), replace: true);
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            // The range ends with the release's latest events (the report's default end), so a quiet stream still shows its last days.
            var (latest, to) = await Reports.RangeEndAsync(moduleId.ToString(), release, stop.Token);
            report = await Reports.GetAsync(moduleId.ToString(), latest, to - Ranges[range], to, null, stop.Token);
            release = report.Release;
            overTime = DriftFigures.OverTime(report, kind);
            error = null;
            // The most drifted descriptor's latest window, until a point is clicked.
            var first = report.TopDrifting.FirstOrDefault();
            var point = first is null ? null : report.Measures.First(m => m.Kind == DriftMeasureKind.Psi && m.Descriptor == first.Descriptor).Latest;
            await SelectAsync(first is null || point is null ? null : new DriftSelection(first.Descriptor, first.Title, point.T, point.End));
        }
        catch (OnlineQueryException e)
        {
            (report, error) = (null, e.Message);
            await SelectAsync(null);
        }

        requests = moduleId == 0 ? [] : await Retraining.ListAsync(moduleId.ToString(), stop.Token);
    }

    /// <summary>Records a retraining request from an alert: its window (the report's range for a concept alert) and what the report says of it.</summary>
    private async Task RequestRetrainingAsync(DriftAlert alert)
    {
        try
        {
            var made = await Retraining.CreateAsync(DriftLinks.Retraining(report!, alert), await Accounts.Actor.OfAsync(Authentication), stop.Token);
            requests = await Retraining.ListAsync(moduleId.ToString(), stop.Token);
            Snackbar.Add($"Retraining request #{made.Id} recorded with {made.WindowEvents:N0} events in its data slice.", Severity.Success);
        }
        catch (OnlineQueryException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private async Task SelectAsync(DriftSelection? selection)
    {
        selected = selection;
        distribution = selection is null || report is null ? null
            : await Reports.GetDistributionAsync(moduleId.ToString(), report.Release, selection.Descriptor, selection.From, selection.To, stop.Token);
        distributionFigure = distribution is null ? new([]) : DriftFigures.Distribution(distribution);
    }

    private async Task PointClickedAsync(PlotPoint point)
    {
        var measures = report?.Measures.Where(m => m.Kind == kind).ToList();
        if (measures is null || point.Curve < 0 || point.Curve >= measures.Count || point.Index < 0 || point.Index >= measures[point.Curve].Points.Count)
        {
            return;
        }

        var (measure, at) = (measures[point.Curve], measures[point.Curve].Points[point.Index]);
        await SelectAsync(new DriftSelection(measure.Descriptor, measure.Title, at.T, at.End));
    }

    private Task ShowAsync(DriftingDescriptor descriptor) =>
        SelectAsync(new DriftSelection(descriptor.Descriptor, descriptor.Title, descriptor.T, report!.Measures.First(m => m.Kind == DriftMeasureKind.Psi && m.Descriptor == descriptor.Descriptor).Latest!.End));

    /// <summary>The latest claimed value of a descriptor's measure of <paramref name="measureKind"/>, as the table shows it.</summary>
    private DriftPoint? Latest(string descriptor, string measureKind) =>
        report?.Measures.FirstOrDefault(m => m.Descriptor == descriptor && m.Kind == measureKind)?.Latest;

    private DriftPoint? LatestTest(string descriptor) =>
        Latest(descriptor, DriftMeasureKind.KolmogorovSmirnov) ?? Latest(descriptor, DriftMeasureKind.ChiSquare);

    internal static Color StatusColor(string status) => status switch
    {
        DriftStatus.Alert => Color.Error,
        DriftStatus.Watch => Color.Warning,
        DriftStatus.Ok => Color.Success,
        _ => Color.Default,
    };

    private static string StatusText(string status) => status == DriftStatus.TooFew ? "too few events" : status;

    private static string P(double? p) => DriftReports.PValue(p);

    private static string Rate(double? rate) => Formats.Percent(rate);

    private string TicketUrl(DriftAlert alert) => DriftLinks.Ticket(report!, alert, range);

    private static string Window(DateTimeOffset from, DateTimeOffset to) => $"{OnlineFigures.Time(from)} – {OnlineFigures.Time(to)} UTC";

    public void Dispose() => stop.Cancel();
}
