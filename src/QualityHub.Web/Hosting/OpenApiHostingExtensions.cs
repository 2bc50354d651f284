using QualityHub.Web.Api;
using Scalar.AspNetCore;

namespace QualityHub.Web.Hosting;

/// <summary>The OpenAPI document of /api (at /openapi/v1.json) and its reference page (at /api-reference), both for signed-in users.</summary>
public static class OpenApiHostingExtensions
{
    public const string ReferencePath = "/api-reference";

    public static IServiceCollection AddQualityHubOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            // The JSON API and the health check; not the sign-in form posts, pages or the hub.
            options.ShouldInclude = description => description.RelativePath is { } path && (path.StartsWith("api/", StringComparison.Ordinal) || path == "health");
            options.AddDocumentTransformer<ApiDocumentTransformer>();
            options.AddOperationTransformer<ProblemResponsesTransformer>();
            options.AddOperationTransformer<FeatureTags>();
            options.AddSchemaTransformer<NumbersAsNumbers>();
        });

    public static WebApplication MapQualityHubOpenApi(this WebApplication app)
    {
        // Not anonymous: like everything but /health, the document is for people and keys QualityHub knows.
        app.MapOpenApi();
        app.MapScalarApiReference(ReferencePath, options =>
        {
            options.Title = "QualityHub API";
            options.AddPreferredSecuritySchemes(Features.Accounts.ApiKeyAuthenticationHandler.SchemeName);
            // Everything from this server: the script is served from Scalar's package, and nothing calls out
            // (no web fonts, telemetry, AI agent or MCP; no developer toolbar, whose buttons lead to scalar.com).
            options.DefaultFonts = false;
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            options.Telemetry = false;
            options.Agent = new ScalarAgentOptions { Disabled = true };
            options.Mcp = new ScalarMcpOptions { Disabled = true };
        });
        return app;
    }
}
