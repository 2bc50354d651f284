namespace QualityHub.Web.Features.Compare;

public static class CompareServiceCollectionExtensions
{
    public static IServiceCollection AddCompareFeature(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CompareOptions>().Bind(configuration.GetSection(CompareOptions.SectionName));
        services.AddSingleton<CandidateSource>();
        services.AddSingleton<ComparisonRunner>();
        services.AddSingleton<BatchComparison>();
        services.AddSingleton<SamplePicker>();
        services.AddSingleton<EngineMonitor>();
        services.AddSingleton<SampleCollections>();
        return services;
    }
}
