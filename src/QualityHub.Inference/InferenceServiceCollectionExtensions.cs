using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Tasks;

namespace QualityHub.Inference;

/// <summary>Registers the inference engine, its options (configuration section "Inference") and the task runner over it.</summary>
public static class InferenceServiceCollectionExtensions
{
    public static IServiceCollection AddQualityHubInference(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InferenceOptions>()
            .Bind(configuration.GetSection(InferenceOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddSingleton<InferenceEngine>();
        // In process unless something else (a pool of workers) was registered as the executor first.
        services.TryAddSingleton<IModelExecutor>(provider => provider.GetRequiredService<InferenceEngine>());
        services.AddSingleton<ModelTaskRunner>();
        return services;
    }

    private sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
    {
        public ValidateOptionsResult Validate(string? name, InferenceOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
