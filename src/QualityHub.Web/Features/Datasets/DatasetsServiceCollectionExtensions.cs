namespace QualityHub.Web.Features.Datasets;

public static class DatasetsServiceCollectionExtensions
{
    public static IServiceCollection AddDatasetsFeature(this IServiceCollection services) =>
        services.AddSingleton<DatasetCatalog>().AddSingleton<DatasetImportMonitor>();
}
