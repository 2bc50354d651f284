namespace QualityHub.Web.Features.Overview;

public static class OverviewServiceCollectionExtensions
{
    public static IServiceCollection AddOverviewFeature(this IServiceCollection services) =>
        services.AddSingleton<OverviewService>();
}
