using QualityHub.Data.Content;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Workers;

public static class WorkersServiceCollectionExtensions
{
    /// <summary>
    /// Models served to workers (the shared key) and, with <c>Inference:Workers</c>, run on them; with
    /// <c>Inference:Isolation=process</c>, run on a worker this program starts as its own child.
    /// </summary>
    public static IServiceCollection AddWorkersFeature(this IServiceCollection services, IConfiguration configuration) =>
        services.AddInferenceWorkers(configuration, provider => IsolatedWorkerProgram.Launch(provider.GetRequiredService<ContentStore>().Root));
}
