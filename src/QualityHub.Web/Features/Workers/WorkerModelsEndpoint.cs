using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Web.Hosting.Security;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Workers;

/// <summary>
/// Where inference workers fetch models: <c>GET /worker/models/{sha256}</c> answers the ONNX file of a registered
/// model version to a caller presenting the shared worker key (<c>Inference:WorkerKey</c>), and nothing else of the
/// store — not datasets' images, not tickets' inputs. Without a configured key the portal serves no worker at all.
/// Outside /api: it is no user's API (no user signs in here, it is not in the OpenAPI document), and it answers while
/// no account exists yet.
/// </summary>
public static class WorkerModelsEndpoint
{
    public const string Route = "/worker/models/{sha256}";

    public static IEndpointRouteBuilder MapWorkerModels(this IEndpointRouteBuilder endpoints)
    {
        // No user signs in here, but guesses at the key meet the same allowance per caller as the API.
        endpoints.MapGet(Route, ServeAsync).AllowAnonymous().RequireRateLimiting(RateLimits.Api).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ServeAsync(
        string sha256, HttpContext http, IOptions<PortalWorkerOptions> options, IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store,
        CancellationToken cancellationToken)
    {
        if (options.Value.ResolveKey() is not { } key)
        {
            return Results.Problem(statusCode: 404, title: "No workers here", detail: "This portal serves no inference workers: Inference:WorkerKey is not set.");
        }

        var presented = http.Request.Headers[WorkerKeyInterceptor.Header].ToString();
        if (presented.Length == 0 || !WorkerKeyInterceptor.KeyMatches(presented, key))
        {
            return Results.Problem(statusCode: 401, title: "Not a worker of this portal", detail: $"Workers present the shared key in {WorkerKeyInterceptor.Header}.");
        }

        if (!ModelCache.IsModelName(sha256))
        {
            return Results.Problem(statusCode: 400, title: "Not a model name", detail: "Models are named by the SHA-256 of their ONNX file: 64 lower-case hexadecimal digits.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.ModelVersions.AnyAsync(v => v.Sha256 == sha256, cancellationToken) || !store.Contains(sha256))
        {
            return Results.Problem(statusCode: 404, title: "No such model", detail: $"No registered model version has the content {sha256}.");
        }

        return Results.Stream(store.OpenRead(sha256), "application/octet-stream", entityTag: new EntityTagHeaderValue($"\"{sha256}\""));
    }
}
