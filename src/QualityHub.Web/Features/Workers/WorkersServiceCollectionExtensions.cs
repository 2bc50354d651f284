using QualityHub.Worker;

namespace QualityHub.Web.Features.Workers;

public static class WorkersServiceCollectionExtensions
{
    /// <summary>Models served to workers (the shared key) and, with <c>Inference:Workers</c>, run on them.</summary>
    public static IServiceCollection AddWorkersFeature(this IServiceCollection services, IConfiguration configuration) =>
        services.AddInferenceWorkers(configuration);
}
