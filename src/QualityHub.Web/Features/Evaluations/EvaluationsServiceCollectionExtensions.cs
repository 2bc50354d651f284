namespace QualityHub.Web.Features.Evaluations;

public static class EvaluationsServiceCollectionExtensions
{
    /// <summary>The evaluation queue (a hosted service), live progress, and the readers behind the pages and API.</summary>
    public static IServiceCollection AddEvaluationsFeature(this IServiceCollection services)
    {
        services.AddSingleton<EvaluationNotifier>();
        services.AddSingleton<EvaluationJobs>();
        services.AddHostedService(provider => provider.GetRequiredService<EvaluationJobs>());
        services.AddSingleton<EvaluationCatalog>();
        services.AddSingleton<RunComparer>();
        return services;
    }
}
