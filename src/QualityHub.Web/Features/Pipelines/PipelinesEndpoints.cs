using QualityHub.Core.Domain;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Registry;
using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>/api/pipelines: pipelines, their versions and stages; registering a pipeline version by its stages.</summary>
public static class PipelinesEndpoints
{
    public static RouteGroupBuilder MapPipelinesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/pipelines", (PipelineRegistry pipelines, CancellationToken ct) => pipelines.ListAsync(ct));
        api.MapGet("/pipelines/versions/{id:int}", async (PipelineRegistry pipelines, int id, CancellationToken ct) =>
            await pipelines.VersionAsync(id, ct) is { } version
                ? Results.Ok(version)
                : Results.Problem(statusCode: 404, title: "No such pipeline version", detail: $"There is no pipeline version {id}."))
            .Produces<PipelineVersionInfo>().ProducesProblems(404);
        api.MapPost("/pipelines", RegisterAsync).Produces<PipelineVersionInfo>(StatusCodes.Status201Created).ProducesProblems(400, 422);
        api.MapGet("/evaluations/{id:int}/photos", PhotosAsync).Produces<PipelinePhotoPage>().ProducesProblems(400, 404)
            .WithSummary("A pipeline run's photos: those with a field wrong (filter=wrong, the default), those put down to one stage (detector, recogniser, parser) or all; field=number|expiry narrows to one field.");
        return api;
    }

    private static async Task<IResult> PhotosAsync(PipelineRunCatalog catalog, int id, string? filter, string? field, int? skip, int? take, CancellationToken cancellationToken)
    {
        if (!PhotoQuery.TryParse(filter, PhotoFilter.Wrong, out var by))
        {
            return Results.Problem(statusCode: 400, title: "Bad filter", detail: $"filter is one of {PhotoQuery.Names<PhotoFilter>()}; '{filter}' is not.",
                extensions: new Dictionary<string, object?> { ["field"] = "filter" });
        }

        if (!PhotoQuery.TryParse<CardField?>(field, null, out var onField))
        {
            return Results.Problem(statusCode: 400, title: "Bad field", detail: $"field is one of {PhotoQuery.Names<CardField>()}; '{field}' is not.",
                extensions: new Dictionary<string, object?> { ["field"] = "field" });
        }

        return await catalog.GetPhotosAsync(id, by, onField, skip ?? 0, take ?? 24, cancellationToken) is { } page
            ? Results.Ok(page)
            : Results.Problem(statusCode: 404, title: "No such pipeline run", detail: $"There is no evaluation run {id} of a pipeline.");
    }

    private static async Task<IResult> RegisterAsync(NewPipelineVersion? body, PipelineRegistry pipelines, CancellationToken cancellationToken)
    {
        if (body?.Stages is not { } stages || stages.Any(s => s?.Kind is null))
        {
            return Results.Problem(statusCode: 400, title: "Incomplete request",
                detail: "Send { \"pipeline\": …, \"version\": …, \"stages\": [{ \"kind\": \"TextDetection\", \"modelVersionId\": … }, { \"kind\": \"Rectify\" }, " +
                        "{ \"kind\": \"TextRecognition\", \"modelVersionId\": … }, { \"kind\": \"CardFields\" }] }.");
        }

        try
        {
            var version = await pipelines.RegisterAsync(
                new PipelineVersionRequest(body.Pipeline ?? "", body.Version ?? "", stages.Select(s => new StageRequest(s!.Kind!.Value, s.ModelVersionId)).ToList(),
                    body.Description ?? "", body.Notes ?? ""),
                cancellationToken);
            return Results.Created($"/api/pipelines/versions/{version.Id}", version);
        }
        catch (RegistrationException e)
        {
            return Results.Problem(statusCode: 422, title: "Pipeline version not registered", detail: e.Message,
                extensions: e.Field is null ? null : new Dictionary<string, object?> { ["field"] = e.Field });
        }
    }

    /// <summary>The JSON body of POST /api/pipelines: the pipeline (made with its first version), the version and its stages in order.</summary>
    public sealed record NewPipelineVersion(string? Pipeline, string? Version, IReadOnlyList<NewStage?>? Stages, string? Description = null, string? Notes = null);

    /// <summary>A stage of POST /api/pipelines: its kind and, for a model stage, the module version it pins.</summary>
    public sealed record NewStage(PipelineStageKind? Kind, int? ModelVersionId = null);
}
