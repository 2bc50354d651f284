using System.Collections.Concurrent;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Live;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>
/// Live progress of evaluation runs for pages: the latest report per run, from this instance or (over the live bus)
/// another one, and a subscription to new ones.
/// </summary>
public sealed class EvaluationNotifier(ILogger<EvaluationNotifier>? logger = null) : Notifier<EvaluationProgress>(logger)
{
    private readonly ConcurrentDictionary<int, EvaluationProgress> latest = new();

    /// <summary>The last report of a run that this instance or a peer has executed or queued, if any.</summary>
    public EvaluationProgress? Latest(int runId) => latest.TryGetValue(runId, out var progress) ? progress : null;

    protected override void OnPublishing(EvaluationProgress item) => latest[item.RunId] = item;
}
