namespace QualityHub.Web.Features.Releases;

public static class ReleasesServiceCollectionExtensions
{
    public static IServiceCollection AddReleasesFeature(this IServiceCollection services) =>
        services.AddSingleton<ReleaseCatalog>().AddSingleton<ReleaseDecisions>().AddSingleton<ReleaseBoard>();
}
