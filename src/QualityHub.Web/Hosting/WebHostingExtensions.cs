using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using QualityHub.Web.Api;
using QualityHub.Web.Components;
using QualityHub.Web.Features.Health;
using Radzen;

namespace QualityHub.Web.Hosting;

/// <summary>The web host's own registrations and request pipeline, so Program.cs reads as a table of contents.</summary>
public static class WebHostingExtensions
{
    public static IServiceCollection AddQualityHubWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services;
    }

    public static WebApplication UseQualityHubPipeline(this WebApplication app)
    {
        // API errors are problem details with the right status (400 for unreadable requests, not 500).
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapQualityHubEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoint();
        app.MapQualityHubApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
