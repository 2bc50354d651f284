namespace QualityHub.Web.Features.Models;

public static class ModelsServiceCollectionExtensions
{
    public static IServiceCollection AddModelsFeature(this IServiceCollection services) => services.AddSingleton<ModelCatalog>();
}
