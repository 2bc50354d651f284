using System.Collections.Concurrent;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>Live progress of evaluation runs for pages: the latest report per run and a subscription to new ones.</summary>
public sealed class EvaluationNotifier
{
    private readonly ConcurrentDictionary<int, EvaluationProgress> latest = new();
    private readonly Lock gate = new();
    private ImmutableHandlers handlers = new([]);

    /// <summary>The last report of a run this process has executed or queued, if any.</summary>
    public EvaluationProgress? Latest(int runId) => latest.TryGetValue(runId, out var progress) ? progress : null;

    public void Publish(EvaluationProgress progress)
    {
        latest[progress.RunId] = progress;
        foreach (var handler in handlers.Items)
        {
            handler(progress);
        }
    }

    /// <summary>Calls <paramref name="handler"/> for every report until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(Action<EvaluationProgress> handler)
    {
        lock (gate)
        {
            handlers = new([.. handlers.Items, handler]);
        }

        return new Subscription(this, handler);
    }

    private sealed record ImmutableHandlers(Action<EvaluationProgress>[] Items);

    private sealed class Subscription(EvaluationNotifier owner, Action<EvaluationProgress> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.handlers = new(owner.handlers.Items.Where(h => h != handler).ToArray());
            }
        }
    }
}
