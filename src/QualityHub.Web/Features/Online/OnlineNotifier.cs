using QualityHub.Data.Online;
using QualityHub.Web.Features.Live;

namespace QualityHub.Web.Features.Online;

/// <summary>An accepted batch of online events as pages and the live hub see it: counts and the minute rows it changed.</summary>
public sealed record OnlineBatchStored(DateTimeOffset At, int Accepted, int Duplicates, IReadOnlyList<AggregateTotals> Minutes)
{
    /// <summary>Whether the batch changed anything of <paramref name="moduleId"/>.</summary>
    public bool Touches(int moduleId) => Minutes.Any(m => m.ModuleId == moduleId);
}

/// <summary>Tells subscribers about every stored batch of online events, this instance's and (over the live bus) its peers'.</summary>
public sealed class OnlineNotifier(ILogger<OnlineNotifier>? logger = null) : Notifier<OnlineBatchStored>(logger);
