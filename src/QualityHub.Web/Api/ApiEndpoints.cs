using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Drift;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Gallery;
using QualityHub.Web.Features.Health;
using QualityHub.Web.Features.Labeling;
using QualityHub.Web.Features.Models;
using QualityHub.Web.Features.Online;
using QualityHub.Web.Features.Overview;
using QualityHub.Web.Features.Pipelines;
using QualityHub.Web.Features.Releases;
using QualityHub.Web.Features.Requirements;
using QualityHub.Web.Features.Tickets;
using QualityHub.Web.Hosting.Security;

namespace QualityHub.Web.Api;

/// <summary>The JSON API under /api. Features add their groups here; errors are RFC 7807 problem details.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapQualityHubApi(this IEndpointRouteBuilder endpoints)
    {
        // Everyone signed in reads; changes need a role's policy (RequireModelerForChanges, or the endpoint's own).
        // Every caller has an allowance of requests per minute (Security:ApiRequestsPerMinute).
        var api = endpoints.MapGroup("/api").RequireAuthorization(Policies.Read).RequireModelerForChanges().RequireRateLimiting(RateLimits.Api);

        api.MapGet("/summary", (OverviewService overview, CancellationToken cancellationToken) =>
            overview.GetSummaryAsync(cancellationToken));
        api.MapModelsApi();
        api.MapPipelinesApi();
        api.MapDatasetsApi();
        api.MapCompareApi();
        api.MapEvaluationsApi();
        api.MapReleasesApi();
        api.MapGalleryApi();
        api.MapRequirementsApi();
        api.MapTicketsApi();
        api.MapOnlineApi();
        api.MapRetrainingApi();
        api.MapDataRulesApi();
        api.MapLabelingApi();
        api.MapAdminApi();
        api.MapHealthDetailApi();

        return endpoints;
    }
}
