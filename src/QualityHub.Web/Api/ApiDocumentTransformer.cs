using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Api;

/// <summary>Names the document and declares the X-Api-Key scheme that every operation requires (the browser's session cookie works too).</summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "QualityHub API";
        document.Info.Description =
            "Models, datasets, evaluations, releases, requirements, VOC tickets and online events. Machine clients send an API key " +
            $"(created by an admin under Accounts) in the {ApiKeyAuthenticationHandler.Header} header; a browser signed in to QualityHub " +
            "is recognised by its session cookie. Errors are RFC 9457 problem details (application/problem+json).";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.Header,
            Description = "An API key; its role (Viewer, Modeler, Planner, QualityManager, Admin) decides what it may change.",
        };
        // The generator lists a default tag per handler class; the operations carry feature tags (FeatureTags) instead.
        document.Tags = document.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(tag => tag.Name).Distinct().Order(StringComparer.Ordinal)
            .Select(name => new OpenApiTag { Name = name }).ToHashSet();
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
