using QualityHub.Core.Drift;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Drift;

/// <summary>
/// POST/GET /api/retraining-requests, GET/PATCH /api/retraining-requests/{id}, GET /api/retraining-requests/{id}/slice.jsonl;
/// GET/PUT /api/modules/{id}/drift-settings (the thresholds drift is judged by).
/// </summary>
public static class RetrainingEndpoints
{
    public static RouteGroupBuilder MapRetrainingApi(this RouteGroupBuilder api)
    {
        api.MapPost("/retraining-requests", async (RetrainingRequestInput? body, HttpContext http, RetrainingRequests requests, CancellationToken ct) =>
            body is null ? new OnlineQueryException("body", "The request needs a JSON object: module, trigger, reason, and for drift release, from and to.").ToProblem()
            : await AnswerAsync(async () => Results.Created((string?)null, await requests.CreateAsync(body, Actor.Of(http.User), ct))))
            .Produces<RetrainingRequestView>(StatusCodes.Status201Created).ProducesProblems(400, 404);
        api.MapGet("/retraining-requests", (string? module, RetrainingRequests requests, CancellationToken ct) =>
            AnswerAsync(async () => Results.Ok(await requests.ListAsync(module, ct))))
            .Produces<IReadOnlyList<RetrainingRequestView>>().ProducesProblems(404);
        api.MapGet("/retraining-requests/{id:int}", (int id, RetrainingRequests requests, CancellationToken ct) =>
            AnswerAsync(async () => Results.Ok(await requests.GetAsync(id, ct))))
            .Produces<RetrainingRequestView>().ProducesProblems(404);
        api.MapPatch("/retraining-requests/{id:int}", async (int id, RetrainingStatusInput? body, RetrainingRequests requests, CancellationToken ct) =>
            body is null ? new OnlineQueryException("body", "The request needs a JSON object with status.").ToProblem()
            : await AnswerAsync(async () => Results.Ok(await requests.SetStatusAsync(id, body, ct))))
            .Produces<RetrainingRequestView>().ProducesProblems(400, 404);
        api.MapGet("/retraining-requests/{id:int}/slice.jsonl", (int id, HttpContext http, RetrainingRequests requests, CancellationToken ct) =>
            AnswerAsync(async () =>
            {
                // Checked before the first byte, so a missing request or window is a problem, not a truncated file.
                var request = await requests.GetAsync(id, ct);
                if (request.SliceUrl is null)
                {
                    return new OnlineQueryException("id", $"Retraining request {id} names no window of production events, so it has no data slice.", 404).ToProblem();
                }

                http.Response.ContentType = "application/x-ndjson";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"retraining-{id}-{request.Module}.jsonl\"";
                await requests.WriteSliceAsync(id, http.Response.Body, ct);
                return Results.Empty;
            })).ProducesFile("application/x-ndjson").ProducesProblems(404);
        api.MapGet("/modules/{id:int}/drift-settings", (int id, DriftReports reports, CancellationToken ct) =>
            AnswerAsync(async () => Results.Ok(await reports.GetSettingsAsync(id, ct))))
            .Produces<DriftSettings>().ProducesProblems(404);
        api.MapPut("/modules/{id:int}/drift-settings", async (int id, DriftSettings? body, DriftReports reports, CancellationToken ct) =>
            body is null ? new OnlineQueryException("body", "The body must be the settings: psiWatch, psiAlert, jsWatch, jsAlert, alpha, minEvents, minPerLabel (any left out keep their defaults).").ToProblem()
            : await AnswerAsync(async () => Results.Ok(await reports.SetSettingsAsync(id, body, ct))))
            .RequireAuthorization(Policies.Plan).Produces<DriftSettings>().ProducesProblems(400, 404);
        return api;
    }

    internal static async Task<IResult> AnswerAsync(Func<Task<IResult>> answer)
    {
        try
        {
            return await answer();
        }
        catch (OnlineQueryException e)
        {
            return e.ToProblem();
        }
    }
}
