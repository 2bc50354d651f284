using System.Collections.Concurrent;
using System.Diagnostics;
using QualityHub.Data.Registry;

namespace QualityHub.Web.Features.Datasets;

/// <summary>How far one upload-and-import has come: the phase, its count so far and total (bytes or items), and its rate.</summary>
public sealed record ImportStatus(string Phase, long Done, long Total, double PerSecond, bool Finished = false)
{
    public const string Receiving = "receiving the upload";

    public const string Ended = "ended";
}

/// <summary>
/// Lets a page follow an upload it sent over HTTP: the page watches an id of its own choosing, the upload endpoint
/// reports under that id. A page that watches nothing costs nothing.
/// </summary>
public sealed class DatasetImportMonitor
{
    private readonly ConcurrentDictionary<string, Action<ImportStatus>> watchers = new();

    public IDisposable Watch(string progressId, Action<ImportStatus> onChange)
    {
        watchers[progressId] = onChange;
        return new Subscription(() => watchers.TryRemove(progressId, out _));
    }

    internal ImportReporter Follow(string? progressId) =>
        new(status =>
        {
            if (progressId is not null && watchers.TryGetValue(progressId, out var onChange))
            {
                onChange(status);
            }
        });

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}

/// <summary>
/// One upload's reports: bytes received, then the importer's items. About ten a second reach the page; the first and
/// last of each phase always do, and <see cref="Finish"/> comes only after the upload's files are gone. The rate is
/// measured from a phase's first report on, so a phase reported once has none.
/// </summary>
internal sealed class ImportReporter(Action<ImportStatus> publish) : IProgress<ImportProgress>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private string phase = "";
    private (long Time, long Done) phaseStart;
    private long lastPublished;

    public void Received(long bytes, long total) => Publish(ImportStatus.Receiving, bytes, total);

    public void Report(ImportProgress value) => Publish(value.Phase, value.Done, value.Total);

    public void Finish() => publish(new ImportStatus(ImportStatus.Ended, 0, 0, 0, Finished: true));

    private void Publish(string currentPhase, long done, long total)
    {
        var now = Stopwatch.GetTimestamp();
        if (currentPhase != phase)
        {
            (phase, phaseStart) = (currentPhase, (now, done));
        }
        else if (done < total && Stopwatch.GetElapsedTime(lastPublished, now) < Interval)
        {
            return;
        }

        lastPublished = now;
        var seconds = Stopwatch.GetElapsedTime(phaseStart.Time, now).TotalSeconds;
        publish(new ImportStatus(currentPhase, done, total, seconds > 0 ? (done - phaseStart.Done) / seconds : 0));
    }
}
