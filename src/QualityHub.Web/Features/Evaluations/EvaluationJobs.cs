using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Evaluations;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>
/// The evaluation queue. Runs are queued in the database (so the queue survives restarts) and executed in the
/// background, Evaluation:MaxConcurrentRuns at a time (one per device by default). On SQLite a run interrupted by a
/// stop goes back to the queue at the next start; on PostgreSQL, where several instances share the queue, runs are
/// claimed with leases renewed by a heartbeat (<see cref="EvaluationLeases"/>), and a dead instance's runs are taken
/// over once their leases expire. Either way a run resumes from its stored predictions.
/// </summary>
public sealed partial class EvaluationJobs(
    EvaluationService service,
    EvaluationLeases leases,
    EvaluationRunner runner,
    EvaluationNotifier notifier,
    IOptions<EvaluationOptions> options,
    ILogger<EvaluationJobs> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> running = new();

    // Runs whose lease another instance holds now: stopped here without a word to their state.
    private readonly ConcurrentDictionary<int, bool> lost = new();
    private readonly SemaphoreSlim wake = new(0);

    /// <summary>Runs executing in this process now.</summary>
    public IReadOnlyCollection<int> Running => running.Keys.ToList();

    public async Task<EvaluationRun> EnqueueAsync(int modelVersionId, int datasetId, CancellationToken cancellationToken = default)
    {
        var run = await service.CreateAsync(modelVersionId, datasetId, cancellationToken);
        notifier.Publish(new EvaluationProgress(run.Id, RunStatus.Queued, 0, run.TotalSamples, 0));
        wake.Release();
        return run;
    }

    /// <summary>Cancels a queued or running run; false when it has already finished or does not exist.</summary>
    public async Task<bool> CancelAsync(int runId)
    {
        if (running.TryGetValue(runId, out var cancel))
        {
            await cancel.CancelAsync();
            return true;
        }

        if (!await service.MarkCancelledAsync(runId))
        {
            return false;
        }

        notifier.Publish(new EvaluationProgress(runId, RunStatus.Cancelled, notifier.Latest(runId)?.Done ?? 0, notifier.Latest(runId)?.Total ?? 0, 0));
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosted services start in order: the database initializer has migrated before this runs.
        var heartbeat = Task.CompletedTask;
        if (leases.Shared)
        {
            heartbeat = RenewLeasesAsync(stoppingToken);
        }
        else
        {
            var requeued = await service.RequeueInterruptedAsync(stoppingToken);
            if (requeued > 0)
            {
                LogRequeued(requeued);
            }
        }

        var executing = new List<Task>();
        var unreachable = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (running.Count < options.Value.MaxConcurrentRuns && await NextAsync(stoppingToken) is { } next)
                {
                    var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    running[next] = cancel;
                    executing.Add(ExecuteRunAsync(next, cancel, stoppingToken));
                }

                unreachable = false;
            }
            catch (Exception e) when (DatabaseErrors.IsUnreachable(e))
            {
                // The queue is in the database: look again on the next turn, and say so once per outage.
                if (!unreachable)
                {
                    LogQueueUnreachable(e.Message);
                    unreachable = true;
                }
            }

            executing.RemoveAll(t => t.IsCompleted);
            try
            {
                // Woken by a new run or a finished one; the timeout also picks up runs queued by another process.
                await wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(executing);
        await heartbeat;
    }

    private async Task<int?> NextAsync(CancellationToken stoppingToken)
    {
        var busy = running.Keys.ToList();
        return leases.Shared ? await leases.ClaimNextAsync(busy, stoppingToken) : await service.NextQueuedAsync(busy, stoppingToken);
    }

    // Every third of a lease: renew the leases of the runs executing here; a run whose lease is gone (another instance
    // took it over after a stall, or it was cancelled elsewhere) is stopped here.
    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(leases.Lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var mine = running.Keys.ToList();
                IReadOnlySet<int> held;
                try
                {
                    held = await leases.RenewAsync(mine, stoppingToken);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
                {
                    LogRenewalFailed(e);
                    continue;
                }

                foreach (var runId in mine.Where(id => !held.Contains(id)))
                {
                    if (running.TryGetValue(runId, out var cancel) && lost.TryAdd(runId, true))
                    {
                        LogLeaseLost(runId);
                        await cancel.CancelAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ExecuteRunAsync(int runId, CancellationTokenSource cancel, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await runner.RunAsync(runId, new Progress(notifier), cancel.Token);
            // A run still "running" after its runner returned has paused (no worker or no database answered). On one
            // instance (SQLite) nobody else resumes it: this one tries again every few seconds until it ends or is cancelled.
            while (!leases.Shared && await PausedAsync(runId, cancel.Token))
            {
                await Task.Delay(ResumeAfter, cancel.Token);
                await runner.RunAsync(runId, new Progress(notifier), cancel.Token);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping: the run stays "running" and resumes on the next start (or, on PostgreSQL, on
            // another instance once its lease expires).
        }
        catch (OperationCanceledException) when (lost.ContainsKey(runId))
        {
            // Another instance holds it now.
        }
        catch (OperationCanceledException)
        {
            await service.MarkCancelledAsync(runId);
            var last = notifier.Latest(runId);
            notifier.Publish(new EvaluationProgress(runId, RunStatus.Cancelled, last?.Done ?? 0, last?.Total ?? 0, 0));
        }
        catch (Exception e)
        {
            LogCrashed(e, runId);
            await service.MarkFailedAsync(runId, $"The run stopped unexpectedly: {e.Message}");
            notifier.Publish(new EvaluationProgress(runId, RunStatus.Failed, 0, 0, 0, e.Message));
        }
        finally
        {
            running.TryRemove(runId, out _);
            lost.TryRemove(runId, out _);
            cancel.Dispose();
            wake.Release();
        }
    }

    private static readonly TimeSpan ResumeAfter = TimeSpan.FromSeconds(2);

    private async Task<bool> PausedAsync(int runId, CancellationToken cancellationToken)
    {
        try
        {
            return await service.StatusOfAsync(runId, cancellationToken) == RunStatus.Running;
        }
        catch (Exception e) when (DatabaseErrors.IsUnreachable(e))
        {
            return true; // still paused: the database is what it waits for
        }
    }

    /// <summary>Forwards the runner's reports synchronously (Progress&lt;T&gt; would post them to a context).</summary>
    private sealed class Progress(EvaluationNotifier notifier) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => notifier.Publish(value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} evaluation run(s) interrupted by the last stop go back to the queue")]
    private partial void LogRequeued(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId}: this instance no longer holds its lease; it stops here")]
    private partial void LogLeaseLost(int runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation leases could not be renewed this time; trying again")]
    private partial void LogRenewalFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The evaluation queue cannot be read: the database does not answer ({Reason}); looking again every few seconds")]
    private partial void LogQueueUnreachable(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluation run {RunId} stopped unexpectedly")]
    private partial void LogCrashed(Exception exception, int runId);
}
