using System.Globalization;
using Microsoft.OpenApi;
using QualityHub.Core.Capacity;
using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Requirements;

/// <summary>The capacity planner's answer (GET /api/capacity), beside the question it answers.</summary>
public sealed record CapacityPlan(
    int InstancesPerDevice, double? QpsPerDevice, int? DevicesNeeded, decimal? MonthlyCost, string? Limitation,
    double DeviceMemoryGb, double ModelMemoryGb, double? QpsPerInstance, double? TargetQps, decimal? CostPerDeviceMonth);

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
        api.MapGet("/capacity", (HttpRequest request) => Capacity(request.Query)).Produces<CapacityPlan>().ProducesProblems(400).WithQueryValues(
            new("deviceMemoryGb", JsonSchemaType.Number, "Memory of one device (GPU), GB.", Required: true),
            new("modelMemoryGb", JsonSchemaType.Number, "Memory one model instance needs, GB.", Required: true),
            new("qpsPerInstance", JsonSchemaType.Number, "Requests per second one instance serves."),
            new("targetQps", JsonSchemaType.Number, "Requests per second to serve."),
            new("costPerDeviceMonth", JsonSchemaType.Number, "Price of one device per month."));
        return api;
    }

    private static IResult NoModule(int id) => Results.Problem(statusCode: 404, title: "Not found", detail: $"There is no module {id}.");

    private static IResult Capacity(IQueryCollection query)
    {
        try
        {
            var question = new CapacityQuestion(
                Number(query, "deviceMemoryGb", required: true)!.Value,
                Number(query, "modelMemoryGb", required: true)!.Value,
                Number(query, "qpsPerInstance"),
                Number(query, "targetQps"),
                (decimal?)Number(query, "costPerDeviceMonth"));
            var answer = CapacityPlanner.Plan(question);
            return Results.Ok(new CapacityPlan(
                answer.InstancesPerDevice, answer.QpsPerDevice, answer.DevicesNeeded, answer.MonthlyCost, answer.Limitation,
                question.DeviceMemoryGb, question.ModelMemoryGb, question.QpsPerInstance, question.TargetQps, question.CostPerDeviceMonth));
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
            || (name == "costPerDeviceMonth" && Math.Abs(value) > 1e15))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be one number, not '{string.Join(",", raw.ToArray())}'.");
        }

        return value;
    }
}
