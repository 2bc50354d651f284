using QualityHub.Data;
using StackExchange.Redis;

namespace QualityHub.Web.Features.Live;

/// <summary>
/// The "SignalR" section: how several portal instances share one live view. Without a Redis connection string each
/// instance's pages and hub clients hear only that instance (right for one instance, the default).
/// </summary>
public sealed class LiveOptions
{
    public const string SectionName = "SignalR";

    /// <summary>
    /// A StackExchange.Redis configuration string (e.g. <c>redis.internal:6379,password=…</c>): the hub's backplane and
    /// the bus that tells every instance's pages what the others did. Empty: this instance alone.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every Redis channel QualityHub uses, so deployments can share one Redis server without hearing each other.</summary>
    public string ChannelPrefix { get; set; } = "qualityhub";

    public bool ScaledOut => !string.IsNullOrWhiteSpace(Redis);

    /// <summary>
    /// The parsed configuration, made to keep retrying in the background instead of failing start-up when Redis is down
    /// (pages then hear this instance alone and /health says degraded until Redis is back).
    /// </summary>
    public ConfigurationOptions ParseRedis()
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(Redis ?? "");
        }
        catch (ArgumentException e)
        {
            throw new StartupException($"SignalR:Redis is not a Redis configuration string: {e.Message}", e);
        }

        if (configuration.EndPoints.Count == 0)
        {
            throw new StartupException("SignalR:Redis names no Redis server: give host:port, e.g. SignalR__Redis=127.0.0.1:6379.");
        }

        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "qualityhub";
        configuration.ChannelPrefix = RedisChannel.Literal(ChannelPrefix);
        return configuration;
    }

    /// <summary>Why <see cref="Redis"/> cannot be used, or null when it can (or is not set).</summary>
    public string? Problem()
    {
        if (!ScaledOut)
        {
            return null;
        }

        try
        {
            ParseRedis();
            return null;
        }
        catch (StartupException e)
        {
            return e.Message;
        }
    }

    /// <summary>The servers, without the password or any other option: what logs and the health report may show.</summary>
    public string DescribeRedis()
    {
        try
        {
            return string.Join(",", ConfigurationOptions.Parse(Redis ?? "").EndPoints.Select(Format));
        }
        catch (ArgumentException)
        {
            return "(not a Redis configuration string)";
        }
    }

    private static string Format(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "",
    };
}
