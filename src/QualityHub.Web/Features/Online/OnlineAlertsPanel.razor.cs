using Microsoft.AspNetCore.Components;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Online;

/// <summary>The Overview's online alerts: metrics over their Online:Alerts thresholds in the last window, each with a link that opens a ticket.</summary>
public sealed partial class OnlineAlertsPanel : IDisposable
{
    [Inject]
    private OnlineAlerts Alerts { get; set; } = default!;

    [Inject]
    private OnlineNotifier Notifier { get; set; } = default!;

    [Inject]
    private ILogger<OnlineAlertsPanel> Logger { get; set; } = default!;

    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource stop = new();
    private IDisposable? subscription;
    private AlertReport? report;
    private int pending;

    protected override async Task OnInitializedAsync()
    {
        report = await Alerts.CheckAsync(stop.Token);
        subscription = Notifier.Subscribe(_ => Recheck());
        _ = RecheckPeriodicallyAsync();
    }

    private static string Format(string metric, double value) => metric == "correction rate" ? Formats.Percent(value) : Formats.Ms(value);

    // New events can raise or clear an alert; a burst of batches is checked once.
    private void Recheck()
    {
        if (Interlocked.Exchange(ref pending, 1) == 0)
        {
            _ = RecheckSoonAsync();
        }
    }

    private async Task RecheckSoonAsync()
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop.Token);
            Volatile.Write(ref pending, 0);
            await RefreshAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The window slides with the clock, so alerts also clear without new events.
    private async Task RecheckPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(RecheckEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await RefreshAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            report = await Alerts.CheckAsync(stop.Token);
            await InvokeAsync(StateHasChanged);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            // The panel keeps the last report; the next check tries again.
            Logger.LogWarning(e, "Online alerts could not be checked");
        }
    }

    public void Dispose()
    {
        subscription?.Dispose();
        stop.Cancel();
    }
}
