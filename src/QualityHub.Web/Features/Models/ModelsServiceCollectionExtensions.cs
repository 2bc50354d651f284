using Microsoft.Extensions.DependencyInjection.Extensions;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Models;

public static class ModelsServiceCollectionExtensions
{
    /// <summary>The catalog of modules and versions, with the quarantine its pages show (shared with the workers' pool).</summary>
    public static IServiceCollection AddModelsFeature(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelQuarantine>();
        return services.AddSingleton<ModelCatalog>();
    }
}
