namespace QualityHub.Web.Features.Live;

/// <summary>
/// Something that happened, told to every subscriber in this process: the pattern behind the evaluation, online and
/// ticket notifiers. An item is published either by this instance (<see cref="Publish"/>) or, when several instances
/// share a Redis server, relayed from another instance (<see cref="PublishFromPeer"/>). Pages subscribe to both;
/// whatever forwards this instance's news elsewhere (the live bus, the hub relay) subscribes to its own alone, so
/// nothing is forwarded twice or back and forth.
/// </summary>
public abstract class Notifier<T>(ILogger? logger)
{
    private readonly Lock gate = new();
    private Subscriber[] subscribers = [];

    /// <summary>Tells every subscriber about something this instance did.</summary>
    public void Publish(T item) => Deliver(item, fromPeer: false);

    /// <summary>Tells the subscribers to everything (<see cref="Subscribe"/>) about something another instance did.</summary>
    public void PublishFromPeer(T item) => Deliver(item, fromPeer: true);

    /// <summary>Calls <paramref name="handler"/> for every item, this instance's and its peers', until the result is disposed.</summary>
    public IDisposable Subscribe(Action<T> handler) => Add(new Subscriber(handler, OwnOnly: false));

    /// <summary>Calls <paramref name="handler"/> for the items this instance published, until the result is disposed.</summary>
    public IDisposable SubscribeOwn(Action<T> handler) => Add(new Subscriber(handler, OwnOnly: true));

    /// <summary>Runs before the subscribers hear of <paramref name="item"/>, whoever published it.</summary>
    protected virtual void OnPublishing(T item)
    {
    }

    private void Deliver(T item, bool fromPeer)
    {
        OnPublishing(item);
        foreach (var subscriber in Volatile.Read(ref subscribers))
        {
            if (fromPeer && subscriber.OwnOnly)
            {
                continue;
            }

            // What was published has happened: one failing subscriber must not fail the publisher or starve the others.
            try
            {
                subscriber.Handler(item);
            }
            catch (Exception e)
            {
                logger?.LogWarning(e, "A subscriber to {Item} failed", typeof(T).Name);
            }
        }
    }

    private Subscription Add(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers = [.. subscribers, subscriber];
        }

        return new Subscription(this, subscriber);
    }

    private sealed record Subscriber(Action<T> Handler, bool OwnOnly);

    private sealed class Subscription(Notifier<T> owner, Subscriber subscriber) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.subscribers = owner.subscribers.Where(s => s != subscriber).ToArray();
            }
        }
    }
}
