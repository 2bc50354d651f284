using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Core.Drift;
using QualityHub.Data;
using QualityHub.Data.Drift;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Online;
using QualityHub.Data.Registry;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Features.Online;

/// <summary>
/// A synthetic demo event stream — not production data — so the Online page has something to show on a fresh install:
/// after DemoContentLoader has loaded the demo releases, seven days of events ending now for both demo modules
/// (~32,000 events, fixed random seed). 2026.09 serves until 2026.10 is approved (four days before the demo was
/// loaded: the loader dates the releases so), then traffic moves to 2026.10 over six hours;
/// the classifier's correction rate drops with the MLP, and the card-text recogniser has a latency incident in the
/// last 90 minutes, so the Overview shows an alert. Event ids start with <see cref="OnlineMetrics.DemoEventPrefix"/>.
/// <para>When the demo's evaluations ran (Registry:EvaluateDemoModels), each event is a test sample drawn at random with
/// what the release's version answered for it in its measuring run — label, confidence, and "corrected" when that
/// answer was wrong — and the sample's input descriptors, so production looks like the test set (the drift page finds
/// nothing) until a drift episode <see cref="DriftEpisode"/> before the end: the classifier's inputs get darker
/// (brightness and contrast × <see cref="Darkening"/>) and its "Sneaker" answers are corrected far more often.
/// Both modules get data rules suggested from their test sets (and their datasets are checked against them); in the last <see cref="MissingBlurFor"/> a share of the
/// classifier's events (<see cref="MissingBlurShare"/>) arrive without their sharpness, as from a client release that
/// lost it, which breaks the "at most 1 % lack sharpness" rule.
/// Without the runs the events are drawn as before, without descriptors.</para>
/// </summary>
public sealed partial class OnlineDemoEvents(
    DemoContentLoader demo,
    IDbContextFactory<QualityHubDbContext> contextFactory,
    OnlineEventStore store,
    OnlineNotifier notifier,
    IOptions<OnlineOptions> options,
    MeasuringRuns measuring,
    RunProfiles profiles,
    Drift.DriftReports drift,
    DatasetValidator validator,
    TimeProvider clock,
    ILogger<OnlineDemoEvents> logger) : BackgroundService
{
    public const int Seed = 20261201;

    /// <summary>How long before loading the demo's current release (2026.10) was approved; its rollout starts then.</summary>
    public static readonly TimeSpan RolloutBeforeLoad = TimeSpan.FromDays(4);

    /// <summary>How long before loading the demo's first release (2026.09) was approved: before the events begin.</summary>
    public static readonly TimeSpan FirstReleaseBeforeLoad = TimeSpan.FromDays(30);
    private const int BatchSize = 5000;

    /// <summary>How long before the end the classifier's drift episode starts.</summary>
    public static readonly TimeSpan DriftEpisode = TimeSpan.FromDays(2);

    /// <summary>The episode's inputs: brightness and contrast times this (the Laplacian's variance times its square).</summary>
    public const double Darkening = 0.7;

    /// <summary>The label whose answers users correct more often in the episode, and how often on top of the model's own errors.</summary>
    public const string EpisodeLabel = "Sneaker";
    public const double EpisodeCorrections = 0.3;

    /// <summary>What users say those corrected answers should have been (the concept moved: some sneakers are now ankle boots).</summary>
    public const string EpisodeRelabel = "Ankle boot";

    /// <summary>How long before the end the classifier's events start to arrive without their sharpness (blur), and how many of them.</summary>
    public static readonly TimeSpan MissingBlurFor = TimeSpan.FromHours(12);
    public const double MissingBlurShare = 0.05;

    /// <summary>The longest the stream waits for the demo's evaluations (its samples' answers) before it is drawn without them.</summary>
    public static readonly TimeSpan RunWait = TimeSpan.FromMinutes(15);

    /// <summary>Completes when the demo stream is stored (or was not needed).</summary>
    public Task Completion => completion.Task;

    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await demo.Completion.WaitAsync(stoppingToken);
            if (options.Value.DemoEvents && demo.State == "loaded")
            {
                await GenerateAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogFailed(e);
        }
        finally
        {
            completion.TrySetResult();
        }
    }

    private async Task GenerateAsync(CancellationToken cancellationToken)
    {
        int fashion, cardText, previous, current;
        DateTimeOffset rollout;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.OnlineEvents.AnyAsync(cancellationToken))
            {
                return;
            }

            var modules = await db.Modules.ToDictionaryAsync(m => m.Name, m => m.Id, cancellationToken);
            var releases = await db.Releases.ToDictionaryAsync(r => r.Name, cancellationToken);
            if (!modules.TryGetValue(DemoContentLoader.FashionModule, out fashion) || !modules.TryGetValue(DemoContentLoader.CardTextModule, out cardText) ||
                !releases.TryGetValue("2026.09", out var first) || !releases.TryGetValue("2026.10", out var second) || second.ApprovedAt is not { } approved)
            {
                return;
            }

            (previous, current, rollout) = (first.Id, second.Id, approved);
        }

        var pools = await PoolsAsync([fashion, cardText], [previous, current], cancellationToken);
        if (pools.Count > 0)
        {
            foreach (var module in new[] { fashion, cardText })
            {
                try
                {
                    await drift.SetRulesAsync(module, await drift.SuggestRulesAsync(module, cancellationToken), cancellationToken);
                    await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
                    foreach (var dataset in await db.Datasets.Where(d => d.ModuleId == module).Select(d => d.Id).ToListAsync(cancellationToken))
                    {
                        await validator.ValidateAsync(dataset, cancellationToken: cancellationToken);
                    }
                }
                catch (OnlineQueryException e)
                {
                    LogNoRules(module, e.Message);
                }
            }
        }

        var now = clock.GetUtcNow();
        var end = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var events = Stream(end, rollout, fashion, cardText, previous, current, pools).ToList();
        for (var i = 0; i < events.Count; i += BatchSize)
        {
            var result = await store.WriteAsync(events.GetRange(i, Math.Min(BatchSize, events.Count - i)), cancellationToken);
            notifier.Publish(new OnlineBatchStored(clock.GetUtcNow(), result.Accepted, result.Duplicates, result.Minutes));
        }

        LogGenerated(events.Count);
    }

    /// <summary>
    /// Each (module, release)'s test samples with its version's answers, from the measuring runs — waiting for the
    /// demo's queued evaluations to finish first. Pairs without a completed run are absent.
    /// </summary>
    private async Task<Dictionary<(int Module, int Release), IReadOnlyList<DemoSample>>> PoolsAsync(int[] modules, int[] releases, CancellationToken cancellationToken)
    {
        var pools = new Dictionary<(int, int), IReadOnlyList<DemoSample>>();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var entries = await db.ReleaseEntries.AsNoTracking().Where(e => modules.Contains(e.ModuleId) && releases.Contains(e.ReleaseId))
            .Select(e => new { e.ModuleId, e.ReleaseId, e.ModelVersionId }).ToListAsync(cancellationToken);
        var versions = entries.Select(e => e.ModelVersionId).Distinct().ToList();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < RunWait
               && await db.EvaluationRuns.AnyAsync(r => versions.Contains(r.ModelVersionId) && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running), cancellationToken))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
        }

        var described = new Dictionary<string, Client.InputDescriptors?>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (await measuring.TestSetAsync(entry.ModuleId, cancellationToken) is not { } testSet
                || await measuring.OfVersionAsync(entry.ModelVersionId, testSet.DatasetId, cancellationToken) is not { } run)
            {
                continue;
            }

            var task = await db.Modules.Where(m => m.Id == entry.ModuleId).Select(m => m.TaskType).SingleAsync(cancellationToken);
            var rows = await db.Predictions.AsNoTracking().Where(p => p.EvaluationRunId == run.RunId && p.Error == null)
                .Join(db.Samples, p => p.SampleId, s => s.Id, (p, s) => new { s.Ordinal, p.Output, p.Confidence, s.GroundTruth, s.ImageSha256 })
                .OrderBy(r => r.Ordinal).ToListAsync(cancellationToken);
            pools[(entry.ModuleId, entry.ReleaseId)] = rows.Select(r =>
            {
                if (!described.TryGetValue(r.ImageSha256, out var input))
                {
                    described[r.ImageSha256] = input = profiles.Describe(r.ImageSha256);
                }

                var truth = TaskTypes.ExpectedOutput(task, r.GroundTruth);
                return new DemoSample(r.Output ?? "", r.Confidence, r.Output != truth, truth,
                    new EventDescriptors(r.Confidence, null, input?.Width, input?.Height, input?.Brightness, input?.Contrast, input?.Blur));
            }).ToList();
        }

        return pools;
    }

    /// <summary>A test sample as the demo stream replays it: its version's answer, whether that was wrong, the truth, and the input's descriptors.</summary>
    public sealed record DemoSample(string Output, double? Confidence, bool Wrong, string Truth, EventDescriptors Input);

    /// <summary>
    /// The demo stream, minute by minute over the 7 days before <paramref name="end"/>, from a fixed seed; traffic moves
    /// to <paramref name="current"/> over the six hours from <paramref name="rollout"/>, its approval. With
    /// <paramref name="pools"/>, a (module, release) that has one replays its samples (see the class).
    /// </summary>
    public static IEnumerable<OnlineEventRow> Stream(
        DateTimeOffset end, DateTimeOffset rollout, int fashion, int cardText, int previous, int current,
        IReadOnlyDictionary<(int Module, int Release), IReadOnlyList<DemoSample>>? pools = null)
    {
        var episode = end - DriftEpisode;
        var missingBlur = end - MissingBlurFor;
        var random = new Random(Seed);
        var start = end.AddDays(-7);
        var incident = end.AddMinutes(-90);
        var n = 0;
        for (var minute = start; minute < end; minute = minute.AddMinutes(1))
        {
            // Daytime traffic is about five times the night's.
            var daily = 1 + 0.7 * Math.Sin(2 * Math.PI * (minute.TimeOfDay.TotalHours - 8) / 24);
            var shareCurrent = Math.Clamp((minute - rollout).TotalHours / 6, 0, 1);
            foreach (var (module, perMinute) in new[] { (fashion, 2.0), (cardText, 1.2) })
            {
                var count = Poisson(random, perMinute * daily);
                for (var k = 0; k < count; k++)
                {
                    var at = minute.AddMilliseconds(random.Next(60_000));
                    var release = random.NextDouble() < shareCurrent ? current : previous;
                    var id = $"{OnlineMetrics.DemoEventPrefix}{n++:D6}";
                    if (pools?.GetValueOrDefault((module, release)) is { Count: > 0 } pool)
                    {
                        var slow = module == cardText && at >= incident && release == current;
                        var replayed = Replay(random, id, release, module, at, pool, module == fashion && at >= episode, module == fashion ? (release == current ? 19 : 14) : slow ? 200 : 70);
                        yield return module == fashion && at >= missingBlur && random.NextDouble() < MissingBlurShare
                            ? replayed with { Descriptors = replayed.Descriptors! with { Blur = null } }
                            : replayed;
                        continue;
                    }

                    yield return module == fashion
                        ? Classification(random, id, release, module, at, release == current)
                        : CardText(random, id, release, module, at, at >= incident && release == current);
                }
            }
        }
    }

    // The linear classifier (2026.09) is corrected about 16 % of the time, the MLP (2026.10) about 10.5 %.
    private static OnlineEventRow Classification(Random random, string id, int release, int module, DateTimeOffset at, bool mlp)
    {
        var labels = FashionMnist.Labels;
        var predicted = labels[random.Next(labels.Count)];
        var corrected = random.NextDouble() < (mlp ? 0.105 : 0.16);
        var value = corrected ? labels.Where(l => l != predicted).ElementAt(random.Next(labels.Count - 1)) : null;
        var latency = LogNormal(random, mlp ? 19 : 14, 0.4);
        return new OnlineEventRow(id, release, module, at, latency, predicted, corrected, value);
    }

    // PP-OCRv4 ships in both releases: about 3.5 % of readings corrected; latency median 70 ms, 200 ms during the incident.
    private static OnlineEventRow CardText(Random random, string id, int release, int module, DateTimeOffset at, bool incident)
    {
        var digits = string.Concat(Enumerable.Range(0, 16).Select(_ => (char)('0' + random.Next(10))));
        var predicted = string.Join(' ', digits.Chunk(4).Select(c => new string(c)));
        var corrected = random.NextDouble() < 0.035;
        string? value = null;
        if (corrected)
        {
            var chars = predicted.ToCharArray();
            var position = random.Next(16);
            position += position / 4; // skip the spaces
            chars[position] = (char)('0' + (chars[position] - '0' + 1 + random.Next(9)) % 10);
            value = new string(chars);
        }

        var latency = incident ? LogNormal(random, 200, 0.5) : LogNormal(random, 70, 0.45);
        return new OnlineEventRow(id, release, module, at, latency, predicted, corrected, value);
    }

    // A test sample with its version's answer; in the drift episode its input darker and its "Sneaker" answers corrected more.
    private static OnlineEventRow Replay(Random random, string id, int release, int module, DateTimeOffset at, IReadOnlyList<DemoSample> pool, bool drifted, double medianMs)
    {
        var sample = pool[random.Next(pool.Count)];
        var input = sample.Input;
        var corrected = sample.Wrong;
        if (drifted)
        {
            input = input with { Brightness = input.Brightness * Darkening, Contrast = input.Contrast * Darkening, Blur = input.Blur * Darkening * Darkening };
            corrected |= sample.Output == EpisodeLabel && random.NextDouble() < EpisodeCorrections;
        }

        var value = !corrected ? null : sample.Wrong ? sample.Truth : EpisodeRelabel;
        return new OnlineEventRow(id, release, module, at, LogNormal(random, medianMs, 0.4), sample.Output, corrected, value, input);
    }

    private static double LogNormal(Random random, double median, double sigma)
    {
        // Box–Muller; 1 − u keeps the logarithm finite.
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Math.Round(median * Math.Exp(sigma * z), 2);
    }

    private static int Poisson(Random random, double mean)
    {
        // Knuth's method: fine for the small means of a minute's demo traffic.
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated {Count} synthetic demo online events (not production data)")]
    private partial void LogGenerated(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "The demo sets no data rules on module {Module}: {Reason}")]
    private partial void LogNoRules(int module, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The synthetic demo online events could not be generated")]
    private partial void LogFailed(Exception exception);
}
