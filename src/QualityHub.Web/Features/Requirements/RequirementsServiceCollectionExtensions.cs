namespace QualityHub.Web.Features.Requirements;

public static class RequirementsServiceCollectionExtensions
{
    public static IServiceCollection AddRequirementsFeature(this IServiceCollection services) => services.AddSingleton<RequirementCatalog>().AddSingleton<CapacityStarts>();
}
