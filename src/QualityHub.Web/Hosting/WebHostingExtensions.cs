using System.Text.Json.Serialization;
using MudBlazor.Services;
using QualityHub.Data;
using QualityHub.Web.Api;
using QualityHub.Web.Components;
using QualityHub.Web.Components.Layout;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Health;
using QualityHub.Web.Features.Online;
using QualityHub.Web.Features.Workers;
using QualityHub.Web.Hosting.Security;

namespace QualityHub.Web.Hosting;

/// <summary>The web host's own registrations and request pipeline, so Program.cs reads as a table of contents.</summary>
public static class WebHostingExtensions
{
    public static IServiceCollection AddQualityHubWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<ThemeChoice>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var request = context.HttpContext.Request;
            if (context.ProblemDetails.Status == StatusCodes.Status404NotFound && context.HttpContext.GetEndpoint() is null)
            {
                context.ProblemDetails.Detail ??= $"{request.Method} {request.Path} is not part of the QualityHub API.";
            }
            else if (context.ProblemDetails.Status == StatusCodes.Status405MethodNotAllowed)
            {
                context.ProblemDetails.Detail ??= $"{request.Path} does not accept {request.Method}.";
            }
            else if (context.ProblemDetails.Status == StatusCodes.Status503ServiceUnavailable)
            {
                context.ProblemDetails.Detail ??= "The database does not answer; nothing was changed. Try again in a moment.";
                context.HttpContext.Response.Headers.RetryAfter = "5";
            }
        });
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // Blobs no record references (a cancelled import's images) go, every Storage:SweepIntervalMinutes.
        services.AddHostedService<ContentSweepService>();
        return services;
    }

    public static WebApplication UseQualityHubPipeline(this WebApplication app)
    {
        app.UseQualityHubSecurityHeaders();
        // API errors are problem details with the right status (400 for unreadable requests, 503 while the database
        // server does not answer, not 500). A request the client got wrong (a 413 body, a malformed form) is its answer,
        // not an error of the server's to log.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when DatabaseErrors.IsUnreachable(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        // Empty error responses become problem details under /api, and the Not found page elsewhere.
        app.UseWhen(context => IsApi(context.Request), api => api.UseStatusCodePages());
        // Only page reads are re-executed: a refused form post (a missing antiforgery token) keeps its plain status.
        app.UseWhen(context => !IsApi(context.Request) && HttpMethods.IsGet(context.Request.Method), web => web.UseStatusCodePagesWithReExecute("/not-found"));
        app.UsePartialPlotlyBundle();
        app.UseStaticFiles();
        // Routing after the status-code pages, so a re-executed request (/not-found) is routed again.
        app.UseRouting();
        app.UseQualityHubAuthentication();
        app.UseQualityHubRequestGuards();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    // The OpenAPI document is read by client generators and /worker by inference workers, so their refusals are problem details too.
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/openapi") || request.Path.StartsWithSegments("/worker");

    public static WebApplication MapQualityHubEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoint();
        app.MapAccountEndpoints();
        app.MapQualityHubApi();
        app.MapWorkerModels();
        app.MapQualityHubOpenApi();
        app.MapLiveHub();
        // Framework and package files (blazor.web.js, components' _content) from the build's static-asset manifest;
        // anyone may load them, so the sign-in page itself can start. Our own wwwroot is served by UseStaticFiles.
        app.MapStaticAssets().AllowAnonymous();
        // frame-ancestors is in our own policy (SecurityHeadersMiddleware), not a second one of Blazor's.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
