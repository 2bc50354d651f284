namespace QualityHub.Web.Features.Demo;

public static class DemoServiceCollectionExtensions
{
    public static IServiceCollection AddDemoContent(this IServiceCollection services)
    {
        services.AddSingleton<DemoContentLoader>();
        services.AddHostedService(provider => provider.GetRequiredService<DemoContentLoader>());
        services.AddSingleton<DemoSuspectLabels>();
        services.AddHostedService(provider => provider.GetRequiredService<DemoSuspectLabels>());
        return services;
    }
}
