using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Data.Content;

namespace QualityHub.Web.Hosting;

/// <summary>
/// Sweeps the content store every Storage:SweepIntervalMinutes (0: never), the first time one interval after start, and
/// logs one line per sweep with its report. Several instances on one PostgreSQL database take turns (the sweeper's
/// advisory lock): an instance that finds another sweeping skips that round. A sweep that fails is logged and the next
/// one runs on schedule.
/// </summary>
public sealed partial class ContentSweepService(
    ContentSweeper sweeper, IOptions<StorageOptions> options, TimeProvider clock, ILogger<ContentSweepService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Wrong settings stop the start-up with a line naming them, not a failure hours later.
        options.Value.ResolveSweepGrace();
        options.Value.ResolveSweepInterval();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ResolveSweepInterval() is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            LogSwept(await sweeper.SweepAsync(cancellationToken: stoppingToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Content store sweep: {Report}")]
    private partial void LogSwept(SweepReport report);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Content store sweep failed; the next runs on schedule")]
    private partial void LogFailed(Exception exception);
}
