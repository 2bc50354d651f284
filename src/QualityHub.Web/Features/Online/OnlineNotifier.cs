using QualityHub.Data.Online;

namespace QualityHub.Web.Features.Online;

/// <summary>An accepted batch of online events as pages and the live hub see it: counts and the minute rows it changed.</summary>
public sealed record OnlineBatchStored(DateTimeOffset At, int Accepted, int Duplicates, IReadOnlyList<AggregateTotals> Minutes)
{
    /// <summary>Whether the batch changed anything of <paramref name="moduleId"/>.</summary>
    public bool Touches(int moduleId) => Minutes.Any(m => m.ModuleId == moduleId);
}

/// <summary>Tells subscribers about every stored batch of online events (the singleton notifier pattern of EvaluationNotifier).</summary>
public sealed class OnlineNotifier
{
    private readonly Lock gate = new();
    private Action<OnlineBatchStored>[] handlers = [];

    public void Publish(OnlineBatchStored batch)
    {
        foreach (var handler in Volatile.Read(ref handlers))
        {
            handler(batch);
        }
    }

    /// <summary>Calls <paramref name="handler"/> for every stored batch until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(Action<OnlineBatchStored> handler)
    {
        lock (gate)
        {
            handlers = [.. handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private sealed class Subscription(OnlineNotifier owner, Action<OnlineBatchStored> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.handlers = owner.handlers.Where(h => h != handler).ToArray();
            }
        }
    }
}
