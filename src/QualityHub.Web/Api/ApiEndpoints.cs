using QualityHub.Web.Features.Overview;

namespace QualityHub.Web.Api;

/// <summary>The JSON API under /api. Features add their groups here; errors are RFC 7807 problem details.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapQualityHubApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");

        api.MapGet("/summary", (OverviewService overview, CancellationToken cancellationToken) =>
            overview.GetSummaryAsync(cancellationToken));

        // Anything else under /api is a JSON 404, never the Blazor page.
        endpoints.MapFallback("/api/{**path}", (HttpContext context) => Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "No such API endpoint",
            detail: $"{context.Request.Method} {context.Request.Path} is not part of the QualityHub API."));

        return endpoints;
    }
}
