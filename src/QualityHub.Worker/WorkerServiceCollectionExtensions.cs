using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// The portal's side of workers (section <c>Inference</c>): with <c>Inference:Workers</c> listed, or
    /// <c>Inference:Isolation=process</c> (a worker of the portal's own, started as <paramref name="launch"/> says),
    /// models run on them (the <see cref="WorkerPool"/> becomes the <see cref="IModelExecutor"/>), else in process as
    /// before. Impossible settings stop the start, named.
    /// </summary>
    public static IServiceCollection AddInferenceWorkers(
        this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, IsolatedWorkerLaunch>? launch = null)
    {
        services.AddOptions<PortalWorkerOptions>().Bind(configuration.GetSection("Inference")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalWorkerOptions>, PortalWorkerOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelQuarantine>();
        var settings = configuration.GetSection("Inference").Get<PortalWorkerOptions>() ?? new PortalWorkerOptions();
        if (settings.IsolatesInProcess && launch is not null && OperatingSystem.IsLinux())
        {
            services.AddSingleton<IsolatedWorkerLaunch>(launch);
            services.AddSingleton<IsolatedWorker>();
            services.AddHostedService(provider => provider.GetRequiredService<IsolatedWorker>());
        }

        if (settings.Workers.Count > 0 || settings.Servers.Count > 0 || settings.IsolatesInProcess)
        {
            services.AddSingleton<WorkerPool>();
            services.Replace(ServiceDescriptor.Singleton<IModelExecutor>(provider => provider.GetRequiredService<WorkerPool>()));
        }

        return services;
    }

    private sealed class PortalWorkerOptionsValidator : IValidateOptions<PortalWorkerOptions>
    {
        public ValidateOptionsResult Validate(string? name, PortalWorkerOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
