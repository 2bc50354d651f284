using QualityHub.Worker;

namespace QualityHub.Web.Features.Workers;

public static class WorkersServiceCollectionExtensions
{
    public static IServiceCollection AddWorkersFeature(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<PortalWorkerOptions>(configuration.GetSection("Inference"));
}
