using QualityHub.Core.Drift;
using QualityHub.Data.Drift;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Drift;

/// <summary>
/// GET/PUT /api/modules/{id}/data-rules (what a module's data is expected to be), GET /api/modules/{id}/data-rules/suggested
/// (rules read off its test set), GET/POST /api/datasets/{id}/validation (a dataset's last check; check it again).
/// </summary>
public static class DataRulesEndpoints
{
    public static RouteGroupBuilder MapDataRulesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/modules/{id:int}/data-rules", (int id, DriftReports reports, CancellationToken ct) =>
            RetrainingEndpoints.AnswerAsync(async () => Results.Ok(await reports.GetRulesAsync(id, ct) ?? new DataRules())))
            .Produces<DataRules>().ProducesProblems(404);
        api.MapGet("/modules/{id:int}/data-rules/suggested", (int id, DriftReports reports, CancellationToken ct) =>
            RetrainingEndpoints.AnswerAsync(async () => Results.Ok(await reports.SuggestRulesAsync(id, ct))))
            .Produces<DataRules>().ProducesProblems(404);
        api.MapPut("/modules/{id:int}/data-rules", async (int id, DataRules? body, DriftReports reports, CancellationToken ct) =>
            body is null ? new OnlineQueryException("body", "The body must be the rules: labels, ranges ({ \"brightness\": { \"min\": 0.05, \"max\": 0.9 } }), maxMissingShare, alertShare.").ToProblem()
            : await RetrainingEndpoints.AnswerAsync(async () => Results.Ok(await reports.SetRulesAsync(id, body, ct) ?? new DataRules())))
            .RequireAuthorization(Policies.Plan).Produces<DataRules>().ProducesProblems(400, 404);
        api.MapGet("/datasets/{id:int}/validation", async (int id, DatasetValidator validator, CancellationToken ct) =>
        {
            try
            {
                return await validator.GetAsync(id, ct) is { } validation ? Results.Ok(validation)
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"Dataset {id} has not been checked: its module has no data rules (PUT /api/modules/{{id}}/data-rules), or it has no module.");
            }
            catch (KeyNotFoundException e)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: e.Message);
            }
        }).Produces<DatasetValidation>().ProducesProblems(404);
        api.MapPost("/datasets/{id:int}/validation", async (int id, DatasetValidator validator, CancellationToken ct) =>
        {
            try
            {
                return await validator.ValidateAsync(id, cancellationToken: ct) is { } validation ? Results.Ok(validation)
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"Dataset {id} has no rules to be checked against: its module has no data rules that apply to datasets, or it has no module.");
            }
            catch (KeyNotFoundException e)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: e.Message);
            }
        }).RequireAuthorization(Policies.Plan).Produces<DatasetValidation>().ProducesProblems(404);
        return api;
    }
}
