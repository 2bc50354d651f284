using Microsoft.AspNetCore.Components;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Online;

/// <summary>/online: a module's online metrics per release over a time range, updated as events arrive.</summary>
public sealed partial class OnlinePage
{
    /// <summary>The ranges offered, ending now; up to a day is drawn per minute, longer per hour.</summary>
    private static readonly IReadOnlyDictionary<string, TimeSpan> Ranges = new Dictionary<string, TimeSpan>
    {
        ["1h"] = TimeSpan.FromHours(1),
        ["6h"] = TimeSpan.FromHours(6),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
        ["90d"] = TimeSpan.FromDays(90),
    };

    /// <summary>Live updates redraw at most this often, however fast batches arrive.</summary>
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stop = new();
    private IDisposable? subscription;
    private List<ModuleChoice>? modules;
    private int moduleId;
    private string range = "7d";
    private OnlineSeries? series;
    private PlotFigure correctionFigure = new([]);
    private PlotFigure latencyFigure = new([]);
    private PlotFigure qpsFigure = new([]);
    private bool hasDemoEvents;
    private bool interactive;
    private string? error;
    private int updates;
    private int redrawPending;

    [Inject]
    private OnlineMetrics Metrics { get; set; } = null!;

    [Inject]
    private OnlineNotifier Notifier { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    [Inject]
    private ILogger<OnlinePage> Logger { get; set; } = null!;

    [SupplyParameterFromQuery(Name = "module")]
    public string? ModuleQuery { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    public string? RangeQuery { get; set; }

    private sealed record ModuleChoice(int Id, string Name, long Events)
    {
        public string Label => Events > 0 ? $"{Name} ({Events:N0} events)" : $"{Name} (no events)";
    }

    protected override async Task OnInitializedAsync()
    {
        modules = (await Metrics.GetModulesAsync(stop.Token)).Select(m => new ModuleChoice(m.Id, m.Name, m.Events)).ToList();
        hasDemoEvents = await Metrics.HasDemoEventsAsync(stop.Token);
        range = RangeQuery is { } r && Ranges.ContainsKey(r) ? r : "7d";
        var chosen = modules.FirstOrDefault(m => m.Name == ModuleQuery || m.Id.ToString() == ModuleQuery) ?? modules.FirstOrDefault();
        if (chosen is not null)
        {
            moduleId = chosen.Id;
            await LoadAsync();
        }

        subscription = Notifier.Subscribe(OnBatch);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private async Task ChooseModuleAsync(int id)
    {
        moduleId = id;
        Navigation.NavigateTo($"online?module={Uri.EscapeDataString(modules!.Single(m => m.Id == id).Name)}&range={range}", replace: true);
        await LoadAsync();
    }

    private async Task ChooseRangeAsync(string value)
    {
        range = value;
        Navigation.NavigateTo($"online?module={Uri.EscapeDataString(modules!.Single(m => m.Id == moduleId).Name)}&range={range}", replace: true);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var to = DateTimeOffset.UtcNow;
            var loaded = await Metrics.GetSeriesAsync(moduleId.ToString(), null, to - Ranges[range], to, null, cancellationToken: stop.Token);
            series = loaded;
            correctionFigure = OnlineFigures.CorrectionRate(loaded);
            latencyFigure = OnlineFigures.Latency(loaded);
            qpsFigure = OnlineFigures.Qps(loaded);
            error = null;
        }
        catch (OnlineQueryException e)
        {
            error = e.Message;
        }
    }

    // Called on the thread that stored the batch: redraw on the circuit, once per RedrawEvery at most.
    private void OnBatch(OnlineBatchStored batch)
    {
        if (!batch.Touches(moduleId) || Interlocked.Exchange(ref redrawPending, 1) == 1)
        {
            return;
        }

        _ = RedrawSoonAsync();
    }

    private async Task RedrawSoonAsync()
    {
        try
        {
            await Task.Delay(RedrawEvery, stop.Token);
            Volatile.Write(ref redrawPending, 0);
            await InvokeAsync(async () =>
            {
                await LoadAsync();
                await RefreshModuleCountsAsync();
                updates++;
                StateHasChanged();
            });
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            // The page keeps what it shows; the next batch tries again.
            Logger.LogWarning(e, "The Online page could not follow new events");
        }
    }

    private async Task RefreshModuleCountsAsync() =>
        modules = (await Metrics.GetModulesAsync(stop.Token)).Select(m => new ModuleChoice(m.Id, m.Name, m.Events)).ToList();

    private static string Ms(double? value) => value is { } v ? (v < 10 ? v.ToString("0.0#") : v.ToString("N0")) + " ms" : "—";

    private static string FormatRange(OnlineSeries s) => $"{OnlineFigures.Time(s.From)} – {OnlineFigures.Time(s.To)} UTC";

    public void Dispose()
    {
        subscription?.Dispose();
        stop.Cancel();
    }
}
