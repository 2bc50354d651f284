using System.Text.Json;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Online;
using QualityHub.Web.Features.Tickets;
using StackExchange.Redis;

namespace QualityHub.Web.Features.Live;

/// <summary>
/// Carries each instance's news to the others' pages over Redis pub/sub (SignalR:Redis): what this instance's
/// notifiers publish goes out on a channel per kind, stamped with the instance; what another instance sent is handed
/// to the local notifier as a peer's (<see cref="Notifier{T}.PublishFromPeer"/>), so a page on B shows a run executing
/// on A, a ticket filed on A and A's online aggregates. Hub clients get the same through the SignalR backplane.
/// <para>
/// Live news is news only while it is fresh: while Redis is unreachable nothing is queued for later (a progress report
/// delivered after its run completed would be wrong); pages read what is stored when they load.
/// </para>
/// </summary>
public sealed partial class LiveBus(
    RedisLink link, EvaluationNotifier evaluations, OnlineNotifier online, TicketNotifier tickets, ILogger<LiveBus> logger) : IHostedService
{
    private const string EvaluationChannel = "live:evaluation";
    private const string OnlineChannel = "live:online";
    private const string TicketChannel = "live:ticket";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly string origin = Guid.NewGuid().ToString("N");
    private readonly List<IDisposable> subscriptions = [];
    private readonly List<ChannelMessageQueue> queues = [];
    private readonly CancellationTokenSource stopping = new();
    private volatile IConnectionMultiplexer? connection;
    private Task listening = Task.CompletedTask;
    private int stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        subscriptions.Add(evaluations.SubscribeOwn(progress => Send(EvaluationChannel, progress)));
        subscriptions.Add(online.SubscribeOwn(batch => Send(OnlineChannel, batch)));
        subscriptions.Add(tickets.SubscribeOwn(change => Send(TicketChannel, change)));

        // Connecting waits for Redis up to its connect timeout: the app must not wait for it to start serving.
        listening = ListenAsync(stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host can be stopped twice at once (the app's own run loop and a test host's dispose): the first stop does it.
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        subscriptions.ForEach(s => s.Dispose());
        subscriptions.Clear();
        await stopping.CancelAsync();
        await listening.WaitAsync(cancellationToken);
        foreach (var queue in queues)
        {
            queue.Unsubscribe(CommandFlags.FireAndForget);
        }

        queues.Clear();
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        try
        {
            var multiplexer = await link.ConnectAsync();
            connection = multiplexer;
            var subscriber = multiplexer.GetSubscriber();
            // One queue per channel: its messages are handled one at a time, in the order they were sent. Once made,
            // a subscription is renewed by the connection itself whenever Redis comes back.
            queues.Add(await ListenAsync(subscriber, EvaluationChannel, (EvaluationProgress p) => evaluations.PublishFromPeer(p), cancellationToken));
            queues.Add(await ListenAsync(subscriber, OnlineChannel, (OnlineBatchStored b) => online.PublishFromPeer(b), cancellationToken));
            queues.Add(await ListenAsync(subscriber, TicketChannel, (TicketChange c) => tickets.PublishFromPeer(c), cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogListenFailed(e);
        }
    }

    // Subscribing needs Redis to answer: until it does, try again every few seconds.
    private async Task<ChannelMessageQueue> ListenAsync<T>(ISubscriber subscriber, string channel, Action<T> deliver, CancellationToken cancellationToken)
    {
        ChannelMessageQueue queue;
        while (true)
        {
            try
            {
                queue = await subscriber.SubscribeAsync(RedisChannel.Literal(channel));
                break;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }

        queue.OnMessage(message =>
        {
            try
            {
                var envelope = JsonSerializer.Deserialize<Envelope<T>>((string)message.Message!, JsonSerializerOptions.Web);
                if (envelope is { Payload: not null } && envelope.Origin != origin)
                {
                    deliver(envelope.Payload);
                }
            }
            catch (JsonException e)
            {
                LogUnreadable(e, channel);
            }
        });
        return queue;
    }

    private void Send<T>(string channel, T payload)
    {
        if (connection is not { IsConnected: true } multiplexer)
        {
            return;
        }

        var json = JsonSerializer.Serialize(new Envelope<T>(origin, payload), JsonSerializerOptions.Web);
        // Fire and forget keeps the publisher (an evaluation, an event batch) from waiting on Redis.
        multiplexer.GetSubscriber().Publish(RedisChannel.Literal(channel), json, CommandFlags.FireAndForget);
    }

    private sealed record Envelope<T>(string Origin, T Payload);

    [LoggerMessage(Level = LogLevel.Error, Message = "The live bus could not subscribe to Redis; other instances' news will not reach this one's pages")]
    private partial void LogListenFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable message on Redis channel {Channel} was ignored")]
    private partial void LogUnreadable(Exception exception, string channel);
}
