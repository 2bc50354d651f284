using System.Globalization;
using Microsoft.OpenApi;
using QualityHub.Core.Capacity;
using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Requirements;

/// <summary>
/// The capacity planner's answer (GET /api/capacity), beside the question it answers; with a model version, also what
/// its run measured (<see cref="Start"/>) and which asked values go beyond that (<see cref="WhatIfs"/>).
/// </summary>
public sealed record CapacityPlan(
    int InstancesPerDevice, double? QpsPerDevice, int? DevicesNeeded, decimal? MonthlyCost, string? Limitation,
    double DeviceMemoryGb, double ModelMemoryGb, double? QpsPerInstance, double? TargetQps, decimal? CostPerDeviceMonth,
    double? DeviceQpsCeiling, decimal? BudgetPerMonth, int? UsefulInstances, bool ComputeBound, bool? WithinBudget,
    CapacityStart? Start, IReadOnlyList<string> WhatIfs);

/// <summary>/api: requirements per module (versioned), the scorecard of a module's candidates, and the capacity planner.</summary>
public static class RequirementsEndpoints
{
    public static RouteGroupBuilder MapRequirementsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/requirements", (RequirementCatalog catalog, CancellationToken ct) => catalog.GetModulesAsync(ct));
        api.MapGet("/modules/{id:int}/requirements", async (int id, RequirementCatalog catalog, CancellationToken ct) =>
            await catalog.GetHistoryAsync(id, ct) is { } history ? Results.Ok(history) : NoModule(id))
            .Produces<IReadOnlyList<RequirementView>>().ProducesProblems(404);
        api.MapPost("/modules/{id:int}/requirements", async (int id, RequirementInput? body, RequirementCatalog catalog, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "No requirement", detail: "The body must be a JSON object with the requirement's targets and rationale.");
            }

            try
            {
                var created = await catalog.CreateAsync(id, body, ct);
                return Results.Created($"/api/modules/{id}/requirements", created);
            }
            catch (RequirementException e) when (e.Problems.Count > 0 && e.Status == 422)
            {
                return Results.ValidationProblem(
                    e.Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                    detail: string.Join(" ", e.Problems.Select(p => p.Message)), title: e.Message, statusCode: 422);
            }
            catch (RequirementException e)
            {
                return Results.Problem(statusCode: e.Status, title: e.Status switch
                {
                    404 => "Not found",
                    409 => "Changed meanwhile",
                    _ => "Not a valid requirement",
                }, detail: e.Message);
            }
        }).RequireAuthorization(Accounts.Policies.Plan)
            .Produces<RequirementView>(StatusCodes.Status201Created).ProducesProblems(404, 409).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/modules/{id:int}/scorecard", async (int id, RequirementCatalog catalog, CancellationToken ct) =>
            await catalog.GetScorecardAsync(id, ct) is { } card ? Results.Ok(card) : NoModule(id))
            .Produces<ScorecardView>().ProducesProblems(404);
        api.MapGet("/modules/{id:int}/text-comparison", async (int id, RequirementCatalog catalog, CancellationToken ct) =>
            await catalog.GetTextComparisonAsync(id, ct) is { } rule ? Results.Ok(rule) : NoModule(id))
            .Produces<TextComparisonView>().ProducesProblems(404);
        api.MapPut("/modules/{id:int}/text-comparison", async (int id, TextComparisonRequest? body, RequirementCatalog catalog, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "No rule", detail: "The body must be { ignoreCase, ignoreSpaces, ignoreSeparators } (each true or false).");
            }

            try
            {
                return Results.Ok(await catalog.SetTextComparisonAsync(id, body, ct));
            }
            catch (RequirementException e)
            {
                return Results.Problem(statusCode: e.Status, title: e.Status == 404 ? "Not found" : "Not a text module", detail: e.Message,
                    extensions: e.Problems.Count > 0 ? new Dictionary<string, object?> { ["field"] = e.Problems[0].Field } : null);
            }
        }).RequireAuthorization(Accounts.Policies.Plan).Produces<TextComparisonView>().ProducesProblems(400, 404, 422);
        api.MapGet("/capacity", (HttpRequest request, CapacityStarts starts, CancellationToken ct) => CapacityAsync(request.Query, starts, ct))
            .Produces<CapacityPlan>().ProducesProblems(400, 404).WithQueryValues(
            new("modelVersionId", JsonSchemaType.Integer, "Start from what this version's measuring run measured and its module's requirement; the other values override."),
            new("deviceMemoryGb", JsonSchemaType.Number, "Memory of one device (GPU), GB; required without a measured version."),
            new("modelMemoryGb", JsonSchemaType.Number, "Memory one model instance needs, GB; required without a measured version."),
            new("qpsPerInstance", JsonSchemaType.Number, "Requests per second one instance serves."),
            new("targetQps", JsonSchemaType.Number, "Requests per second to serve."),
            new("costPerDeviceMonth", JsonSchemaType.Number, "Price of one device per month."),
            new("deviceQpsCeiling", JsonSchemaType.Number, "The most one device computes (its saturated throughput)."),
            new("budgetPerMonth", JsonSchemaType.Number, "The monthly budget the cost is checked against."));
        return api;
    }

    private static IResult NoModule(int id) => Results.Problem(statusCode: 404, title: "Not found", detail: $"There is no module {id}.");

    private static async Task<IResult> CapacityAsync(IQueryCollection query, CapacityStarts starts, CancellationToken cancellationToken)
    {
        try
        {
            CapacityStart? start = null;
            if (Number(query, "modelVersionId") is { } id)
            {
                if (id != Math.Floor(id) || id is < 1 or > int.MaxValue)
                {
                    throw new ArgumentOutOfRangeException("modelVersionId", "modelVersionId must be a model version's id.");
                }

                start = await starts.ForVersionAsync((int)id, cancellationToken);
                if (start is null)
                {
                    return Results.Problem(statusCode: 404, title: "Not found", detail: $"There is no model version {id}.");
                }
            }

            var measured = start?.Measured;
            double Required(string name, double? fromStart) => Number(query, name) ?? fromStart ?? throw new ArgumentOutOfRangeException(name,
                start is null ? $"{name} is required (a number, e.g. {name}=10), or give modelVersionId to start from a measured version."
                    : $"{name} is required: {start.Version} has no measured value for it ({string.Join(" ", start.Missing)}).");
            var question = new CapacityQuestion(
                Required("deviceMemoryGb", start?.DeviceMemoryGb),
                Required("modelMemoryGb", measured?.SessionMemoryGb),
                Number(query, "qpsPerInstance") ?? measured?.QpsPerInstance,
                Number(query, "targetQps") ?? start?.TargetQps,
                (decimal?)Number(query, "costPerDeviceMonth"),
                Number(query, "deviceQpsCeiling") ?? measured?.DeviceQpsCeiling,
                (decimal?)Number(query, "budgetPerMonth") ?? start?.BudgetPerMonth);
            var answer = CapacityPlanner.Plan(question);
            return Results.Ok(new CapacityPlan(
                answer.InstancesPerDevice, answer.QpsPerDevice, answer.DevicesNeeded, answer.MonthlyCost, answer.Limitation,
                question.DeviceMemoryGb, question.ModelMemoryGb, question.QpsPerInstance, question.TargetQps, question.CostPerDeviceMonth,
                question.DeviceQpsCeiling, question.BudgetPerMonth, answer.UsefulInstances, answer.ComputeBound, answer.WithinBudget,
                start, start?.WhatIfs(question) ?? []));
        }
        catch (ArgumentOutOfRangeException e)
        {
            return Results.Problem(statusCode: 400, title: $"Bad {e.ParamName}", detail: $"{e.ParamName}: {e.Message.Split(" (Parameter", 2)[0]}",
                extensions: new Dictionary<string, object?> { ["parameter"] = e.ParamName });
        }
    }

    private static double? Number(IQueryCollection query, string name, bool required = false)
    {
        var raw = query[name];
        if (raw.Count == 0 || string.IsNullOrWhiteSpace(raw[0]))
        {
            return required ? throw new ArgumentOutOfRangeException(name, $"{name} is required (a number, e.g. {name}=10).") : null;
        }

        if (raw.Count > 1 || !double.TryParse(raw[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)
            || (name is "costPerDeviceMonth" or "budgetPerMonth" && Math.Abs(value) > 1e15))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be one number, not '{string.Join(",", raw.ToArray())}'.");
        }

        return value;
    }
}
