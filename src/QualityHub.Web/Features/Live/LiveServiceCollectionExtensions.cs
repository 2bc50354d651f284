using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Live;

public static class LiveServiceCollectionExtensions
{
    /// <summary>
    /// One live view across instances when SignalR:Redis is set: the hub's Redis backplane
    /// (Microsoft.AspNetCore.SignalR.StackExchangeRedis) and the live bus for pages, over one shared connection.
    /// Without it nothing is added and every instance is on its own, as a single instance should be.
    /// </summary>
    public static IServiceCollection AddLiveScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(LiveOptions.SectionName);
        services.AddOptions<LiveOptions>().Bind(section).Validate(o => o.Problem() is null, "SignalR:Redis is not a Redis configuration string: give host:port, e.g. SignalR__Redis=127.0.0.1:6379.").ValidateOnStart();
        var options = section.Get<LiveOptions>() ?? new LiveOptions();
        if (!options.ScaledOut)
        {
            return services;
        }

        services.AddSingleton<RedisLink>();
        // The live hub alone goes through Redis. AddStackExchangeRedis() would put every hub there, Blazor's circuits
        // too, which then fail whenever Redis does; a circuit lives on the instance that serves its page anyway. And the
        // hub falls back to this instance's clients while Redis is down (FallbackHubLifetimeManager).
        services.AddSignalR();
        services.AddSingleton<RedisHubLifetimeManager<LiveHub>>();
        services.AddSingleton<DefaultHubLifetimeManager<LiveHub>>();
        services.AddSingleton<HubLifetimeManager<LiveHub>, FallbackHubLifetimeManager<LiveHub>>();
        services.AddOptions<RedisOptions>().Configure<RedisLink, IOptions<LiveOptions>>((redis, link, live) =>
        {
            redis.Configuration = live.Value.ParseRedis();
            redis.ConnectionFactory = log => link.ConnectAsync(log);
        });
        services.AddHostedService<LiveBus>();
        return services;
    }
}
