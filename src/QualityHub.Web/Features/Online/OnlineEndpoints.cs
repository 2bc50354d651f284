using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Drift;

namespace QualityHub.Web.Features.Online;

/// <summary>POST /api/events (production outcomes in batches), GET /api/online/series, /api/online/drift and /api/online/alerts.</summary>
public static class OnlineEndpoints
{
    public static RouteGroupBuilder MapOnlineApi(this RouteGroupBuilder api)
    {
        api.MapPost("/events", PostEventsAsync).DescribesBody<IReadOnlyList<IncomingEvent>>().Produces<EventBatchResult>();
        api.MapGet("/online/modules", (OnlineMetrics metrics, CancellationToken ct) => metrics.GetModulesAsync(ct));
        api.MapGet("/online/series", (
            OnlineMetrics metrics, string? module, string? release, DateTimeOffset? from, DateTimeOffset? to, string? resolution, int? maxPoints, CancellationToken ct) =>
            AnswerAsync(() => metrics.GetSeriesAsync(module, release, from, to, resolution, maxPoints, ct)))
            .Produces<OnlineSeries>().ProducesProblems(400, 404);
        api.MapGet("/online/drift", (
            DriftReports reports, string? module, string? release, DateTimeOffset? from, DateTimeOffset? to, string? step, CancellationToken ct) =>
            AnswerAsync(() => reports.GetAsync(module, release, from, to, step, ct)))
            .Produces<DriftReport>().ProducesProblems(400, 404);
        api.MapGet("/online/drift/distribution", (
            DriftReports reports, string? module, string? release, string? descriptor, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
            AnswerAsync(() => reports.GetDistributionAsync(module, release, descriptor, from, to, ct)))
            .Produces<DriftDistribution>().ProducesProblems(400, 404);
        api.MapGet("/online/alerts", (OnlineAlerts alerts, CancellationToken ct) => alerts.CheckAsync(ct));
        return api;
    }

    private static async Task<IResult> PostEventsAsync(HttpContext context, OnlineIngest ingest, IOptions<OnlineOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var maxBytes = (long)limits.MaxBatchMb * 1024 * 1024;
        if (context.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        // This endpoint counts the bytes itself, so a too-large body is a 400 naming the limit rather than Kestrel's bare 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        try
        {
            var body = new UploadBodyStream(context.Request.Body, maxBytes);
            var batch = await EventBatchReader.ReadAsync(body, limits.MaxBatchEvents, cancellationToken);
            return Results.Ok(await ingest.IngestAsync(batch, cancellationToken));
        }
        catch (EventBatchException e)
        {
            return Results.Problem(statusCode: 400, title: "Invalid event batch", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["field"] = e.Field, ["index"] = e.Index });
        }
        catch (UploadTooLargeException)
        {
            return TooLarge(maxBytes);
        }
        catch (Exception e) when (e is UploadInterruptedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return UploadInterruptedException.Abort(context);
        }
    }

    // A query's answer, or its OnlineQueryException as a problem naming the parameter (400, or 404 for what does not exist).
    private static async Task<IResult> AnswerAsync<T>(Func<Task<T>> query)
    {
        try
        {
            return Results.Ok(await query());
        }
        catch (OnlineQueryException e)
        {
            return e.ToProblem();
        }
    }

    private static IResult TooLarge(long maxBytes) => Results.Problem(statusCode: 400, title: "Invalid event batch",
        detail: $"The body is larger than {maxBytes / (1024 * 1024)} MiB (Online:MaxBatchMb); send smaller batches.",
        extensions: new Dictionary<string, object?> { ["field"] = "body", ["index"] = null });
}
