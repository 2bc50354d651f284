using Microsoft.Extensions.DependencyInjection.Extensions;

namespace QualityHub.Web.Features.Tickets;

public static class TicketsServiceCollectionExtensions
{
    /// <summary>VOC tickets: filing, workflow, duplicates, reproduce runs, regression sets and live changes.</summary>
    public static IServiceCollection AddTicketsFeature(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services.AddSingleton<TicketNotifier>().AddSingleton<TicketService>().AddSingleton<TicketReproducer>().AddSingleton<RegressionSets>()
            .AddSingleton<Online.ILiveTicketFeed, TicketNotifierFeed>();
    }
}
