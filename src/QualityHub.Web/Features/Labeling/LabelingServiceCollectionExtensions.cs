namespace QualityHub.Web.Features.Labeling;

public static class LabelingServiceCollectionExtensions
{
    public static IServiceCollection AddLabelingFeature(this IServiceCollection services)
    {
        services.AddSingleton<LabelingJobs>();
        services.AddSingleton<LabelingDeliveries>();
        services.AddSingleton<LabelingExport>();
        return services;
    }
}
