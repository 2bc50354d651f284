using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace QualityHub.Web.Features.Live;

/// <summary>
/// The instance's one connection to Redis (SignalR:Redis), shared by the hub's backplane and the live bus. It is made
/// once and then keeps itself up: while Redis is unreachable it retries in the background and says so in
/// <see cref="Describe"/>, so /health reports degraded and pages go on with this instance's own news.
/// </summary>
public sealed partial class RedisLink(IOptions<LiveOptions> options, ILogger<RedisLink> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ConnectionMultiplexer? connection;

    public bool IsConnected => connection?.IsConnected == true;

    /// <summary>The connection, made on first use (it may not be connected yet: see <see cref="IsConnected"/>).</summary>
    public async Task<IConnectionMultiplexer> ConnectAsync(TextWriter? log = null)
    {
        if (connection is { } made)
        {
            return made;
        }

        await gate.WaitAsync();
        try
        {
            if (connection is null)
            {
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(options.Value.ParseRedis(), log);
                multiplexer.ConnectionFailed += (_, e) => LogLost(logger, options.Value.DescribeRedis(), e.FailureType.ToString(), e.Exception?.Message);
                multiplexer.ConnectionRestored += (_, _) => LogRestored(logger, options.Value.DescribeRedis());
                if (!multiplexer.IsConnected)
                {
                    LogUnreachable(logger, options.Value.DescribeRedis());
                }

                connection = multiplexer;
            }

            return connection;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>What /api/admin/health shows: the servers (never the password) and whether they answer.</summary>
    public LiveHealth Describe() => new(
        IsConnected ? "ok" : connection is null ? "connecting" : "unreachable",
        options.Value.DescribeRedis(),
        IsConnected ? null : "pages and hub clients hear this instance alone until Redis answers");

    public async ValueTask DisposeAsync()
    {
        if (connection is { } made)
        {
            await made.CloseAsync(allowCommandsToComplete: false);
            made.Dispose();
        }

        gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Servers} does not answer; live updates from other instances are paused until it does (retrying)")]
    private static partial void LogUnreachable(ILogger logger, string servers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost Redis at {Servers} ({FailureType}: {Reason}); live updates from other instances are paused until it is back")]
    private static partial void LogLost(ILogger logger, string servers, string failureType, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {Servers} answers again; live updates from other instances resume")]
    private static partial void LogRestored(ILogger logger, string servers);
}

/// <summary>The live view's part of the health report: ok, connecting or unreachable, and where Redis is.</summary>
public sealed record LiveHealth(string Status, string Servers, string? Effect);
