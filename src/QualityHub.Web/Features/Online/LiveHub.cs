using Microsoft.AspNetCore.SignalR;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Features.Online;

/// <summary>
/// /hubs/quality: live updates for pages and other clients. Server to client only; messages: "evaluationProgress",
/// "onlineAggregates" and, once tickets exist, "ticketCreated".
/// </summary>
public sealed class LiveHub : Hub
{
    public const string Path = "/hubs/quality";
}

/// <summary>
/// A source of new VOC tickets for the hub; the tickets feature registers <c>TicketNotifierFeed</c> over its TicketNotifier.
/// </summary>
public interface ILiveTicketFeed
{
    /// <summary>Calls <paramref name="handler"/> with each ticket this instance files (any JSON-serialisable summary) until disposed.</summary>
    IDisposable Subscribe(Action<object> handler);
}

/// <summary>A minute row of online aggregates as the hub sends it (percentiles from its histogram).</summary>
public sealed record LiveAggregate(int ReleaseId, int ModuleId, DateTimeOffset T, long Count, long Corrections, double CorrectionRate, double? P50, double? P95, double? P99);

/// <summary>The "onlineAggregates" message: one accepted batch and the minute rows it changed, with their new totals.</summary>
public sealed record LiveBatchMessage(DateTimeOffset At, int Accepted, int Duplicates, IReadOnlyList<LiveAggregate> Minutes);

/// <summary>The "evaluationProgress" message.</summary>
public sealed record LiveEvaluationProgress(int RunId, string Status, int Done, int Total, double Fraction, double ItemsPerSecond, double? EtaSeconds, string? Error);

/// <summary>
/// Relays what this instance publishes to every client of the hub, for as long as the app runs. Only its own news: with
/// several instances the hub's Redis backplane (SignalR:Redis) carries each message to the clients of all of them.
/// </summary>
public sealed partial class LiveHubRelay(
    IHubContext<LiveHub> hub, EvaluationNotifier evaluations, OnlineNotifier online, IEnumerable<ILiveTicketFeed> tickets, ILogger<LiveHubRelay> logger) : IHostedService
{
    private readonly Lock gate = new();
    private List<IDisposable> subscriptions = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Subscribe();
        }

        return Task.CompletedTask;
    }

    // A host can be stopped twice at once (the app's own run loop and a test host's dispose both call StopAsync), so
    // each stop takes the current subscriptions away under the lock and disposes only what it took.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        List<IDisposable> taken;
        lock (gate)
        {
            (taken, subscriptions) = (subscriptions, []);
        }

        taken.ForEach(s => s.Dispose());
        return Task.CompletedTask;
    }

    private void Subscribe()
    {
        subscriptions.Add(evaluations.SubscribeOwn(p => Send("evaluationProgress",
            new LiveEvaluationProgress(p.RunId, p.Status.ToString().ToLowerInvariant(), p.Done, p.Total, p.Fraction, p.ItemsPerSecond, p.EtaSeconds, p.Error))));
        subscriptions.Add(online.SubscribeOwn(batch => Send("onlineAggregates", new LiveBatchMessage(batch.At, batch.Accepted, batch.Duplicates,
            batch.Minutes.Select(m => new LiveAggregate(m.ReleaseId, m.ModuleId, m.BucketStart, m.Count, m.Corrections, m.Count == 0 ? 0 : (double)m.Corrections / m.Count,
                Core.Metrics.LatencyHistogram.Percentile(m.Histogram, 50), Core.Metrics.LatencyHistogram.Percentile(m.Histogram, 95),
                Core.Metrics.LatencyHistogram.Percentile(m.Histogram, 99))).ToList()))));

        // New tickets, pushed as "ticketCreated", come from the tickets feature's ILiveTicketFeed.
        foreach (var feed in tickets)
        {
            subscriptions.Add(feed.Subscribe(ticket => Send("ticketCreated", ticket)));
        }
    }

    // Notifiers call on the publisher's thread: sending must not hold up an evaluation or an event batch.
    private void Send(string method, object message) => _ = SendAsync(method, message);

    private async Task SendAsync(string method, object message)
    {
        try
        {
            await hub.Clients.All.SendAsync(method, message);
        }
        catch (Exception e)
        {
            LogSendFailed(e, method);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push {Method} to the live hub's clients")]
    private partial void LogSendFailed(Exception exception, string method);
}
