namespace QualityHub.Web.Features.Pipelines;

public static class PipelinesServiceCollectionExtensions
{
    /// <summary>The pipeline runs' photo galleries (the registry and the evaluator come with the data services).</summary>
    public static IServiceCollection AddPipelinesFeature(this IServiceCollection services) => services.AddSingleton<PipelineRunCatalog>().AddSingleton<PipelineComparer>();
}
