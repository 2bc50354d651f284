using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Api;

/// <summary>
/// The problem-details answers every operation shares, so endpoints declare only their own: 401 without valid
/// credentials, 403 where a role's policy is needed, 400 where a body is read. Anonymous operations need no key.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
            return;
        }

        var problem = await ApiDescriptionExtensions.SchemaOf(typeof(ProblemDetails), context, cancellationToken);
        operation.Responses ??= [];
        Add(operation, problem, StatusCodes.Status401Unauthorized, $"No credentials, or an unknown or revoked {ApiKeyAuthenticationHandler.Header}.");
        if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null && a.Policy != Policies.Read))
        {
            Add(operation, problem, StatusCodes.Status403Forbidden, "The caller's role may not do this.");
        }

        if (operation.RequestBody is not null)
        {
            Add(operation, problem, StatusCodes.Status400BadRequest, "The request is malformed or a field is missing or wrong; detail says which.");
        }
    }

    private static void Add(OpenApiOperation operation, IOpenApiSchema problem, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = problem } },
        };
    }
}
