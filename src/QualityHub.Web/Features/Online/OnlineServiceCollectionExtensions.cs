using Microsoft.Extensions.DependencyInjection.Extensions;
using QualityHub.Data.Online;

namespace QualityHub.Web.Features.Online;

public static class OnlineServiceCollectionExtensions
{
    /// <summary>Online events (ingest, aggregates, series, alerts), the live hub and its relay, and the demo event stream.</summary>
    public static IServiceCollection AddOnlineFeature(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OnlineOptions>(configuration.GetSection(OnlineOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OnlineEventStore>();
        services.AddSingleton<OnlineNotifier>();
        services.AddSingleton<OnlineIngest>();
        services.AddSingleton<OnlineMetrics>();
        services.AddSingleton<Drift.DriftReports>();
        services.AddSingleton<Drift.RetrainingRequests>();
        services.AddSingleton<OnlineAlerts>();
        services.AddSignalR();
        services.AddHostedService<LiveHubRelay>();
        services.AddHostedService<OnlineDemoEvents>();
        return services;
    }

    public static WebApplication MapLiveHub(this WebApplication app)
    {
        app.MapHub<LiveHub>(LiveHub.Path);
        return app;
    }
}
