using Microsoft.OpenApi;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Gallery;

/// <summary>The body of POST/PUT on error tags.</summary>
public sealed record TagNameRequest(string? Name);

/// <summary>The body of POST /api/samples/{id}/notes.</summary>
public sealed record NoteRequest(string? Text);

/// <summary>The body of PUT /api/samples/{id}/ground-truth-flag.</summary>
public sealed record FlagRequest(string? SuggestedLabel, string? Reason);

/// <summary>
/// The gallery API: a run's filtered gallery, error tags on samples (one or many, or everything a filter matches),
/// each module's taxonomy, a sample's review (every run's output, tags, notes, flag) and a dataset's relabel list.
/// </summary>
public static class GalleryEndpoints
{
    public static RouteGroupBuilder MapGalleryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/evaluations/{id:int}/gallery", GetGalleryAsync).Produces<GalleryItems>().ProducesProblems(400, 404, 422).WithQueryValues(
            new("scope", JsonSchemaType.String, "failures (default) or all."),
            new("trueLabel", JsonSchemaType.String, "Only samples with this ground truth."),
            new("predLabel", JsonSchemaType.String, "Only samples predicted as this label."),
            new("minConf", JsonSchemaType.Number, "Lowest confidence, 0 to 1."),
            new("maxConf", JsonSchemaType.Number, "Highest confidence, 0 to 1."),
            new("kind", JsonSchemaType.String, "A failure kind."),
            new("tag", JsonSchemaType.String, "Only samples with this error tag."),
            new("suspect", JsonSchemaType.String, "true or false (default): only suspect samples."),
            new("sort", JsonSchemaType.String, "dataset (default), confidence-desc, confidence-asc, loss or edit-distance."),
            new("compareTo", JsonSchemaType.Integer, "Another run's id; goes with change."),
            new("change", JsonSchemaType.String, "regressions or fixes against compareTo."));
        api.MapGet("/evaluations/{id:int}/failure-kinds", (GalleryService gallery, int id, CancellationToken ct) =>
            Answer(async () => Results.Ok(await gallery.GetFailureKindsAsync(id, cancellationToken: ct))))
            .Produces<FailureKinds>().ProducesProblems(404);
        api.MapPost("/gallery/tags", (SampleReviews reviews, TagRequest? body, HttpContext http, CancellationToken ct) =>
            body is null ? Task.FromResult(Bad("Send { \"tag\": …, \"runId\" or \"moduleId\": …, \"sampleIds\": [...] } or a runId with a \"filter\"."))
                : Answer(async () => Results.Ok(await reviews.ApplyAsync(body, Actor.Of(http.User), ct))))
            .Produces<TagResult>().ProducesProblems(404, 422);

        api.MapGet("/modules/{moduleId:int}/error-tags", (SampleReviews reviews, int moduleId, CancellationToken ct) =>
            Answer(async () => Results.Ok(await reviews.GetTagsAsync(moduleId, ct))))
            .Produces<IReadOnlyList<ErrorTagView>>().ProducesProblems(404);
        api.MapPost("/modules/{moduleId:int}/error-tags", (SampleReviews reviews, int moduleId, TagNameRequest? body, CancellationToken ct) =>
            Answer(async () =>
            {
                var tag = await reviews.CreateTagAsync(moduleId, body?.Name, ct);
                return Results.Created($"/api/modules/{moduleId}/error-tags/{tag.Id}", tag);
            })).Produces<ErrorTagView>(StatusCodes.Status201Created).ProducesProblems(404, 409, 422);
        api.MapPut("/modules/{moduleId:int}/error-tags/{tagId:int}", (SampleReviews reviews, int moduleId, int tagId, TagNameRequest? body, CancellationToken ct) =>
            Answer(async () => Results.Ok(await reviews.RenameTagAsync(moduleId, tagId, body?.Name, ct))))
            .Produces<ErrorTagView>().ProducesProblems(404, 409, 422);
        api.MapDelete("/modules/{moduleId:int}/error-tags/{tagId:int}", (SampleReviews reviews, int moduleId, int tagId, CancellationToken ct) =>
            Answer(async () =>
            {
                await reviews.DeleteTagAsync(moduleId, tagId, ct);
                return Results.NoContent();
            })).Produces(StatusCodes.Status204NoContent).ProducesProblems(404);

        api.MapGet("/samples/{id:long}/review", (SampleReviews reviews, long id, CancellationToken ct) =>
            Answer(async () => Results.Ok(await reviews.GetReviewAsync(id, ct))))
            .Produces<SampleReview>().ProducesProblems(404);
        api.MapPost("/samples/{id:long}/notes", (SampleReviews reviews, long id, NoteRequest? body, HttpContext http, CancellationToken ct) =>
            Answer(async () => Results.Created($"/api/samples/{id}/review", await reviews.AddNoteAsync(id, body?.Text, Actor.Of(http.User), ct))))
            .Produces<SampleNoteView>(StatusCodes.Status201Created).ProducesProblems(404, 422);
        api.MapPut("/samples/{id:long}/ground-truth-flag", (SampleReviews reviews, long id, FlagRequest? body, HttpContext http, CancellationToken ct) =>
            Answer(async () => Results.Ok(await reviews.FlagAsync(id, body?.SuggestedLabel, body?.Reason, Actor.Of(http.User), ct))))
            .Produces<GroundTruthFlagView>().ProducesProblems(404, 422);
        api.MapDelete("/samples/{id:long}/ground-truth-flag", (SampleReviews reviews, long id, CancellationToken ct) =>
            Answer(async () =>
            {
                await reviews.UnflagAsync(id, ct);
                return Results.NoContent();
            })).Produces(StatusCodes.Status204NoContent).ProducesProblems(404);
        api.MapGet("/datasets/{id:int}/relabel.csv", GetRelabelCsvAsync).ProducesFile(ApiDescriptionExtensions.Csv).ProducesProblems(404);
        return api;
    }

    private static async Task<IResult> GetGalleryAsync(GalleryService gallery, HttpRequest request, int id, int? skip, int? take, bool? inline, CancellationToken cancellationToken)
    {
        if (skip < 0 || take is < 0 or > GalleryService.MaxPageSize)
        {
            return Bad($"skip must be ≥ 0 and take between 0 and {GalleryService.MaxPageSize}.");
        }

        return await Answer(async () =>
        {
            var filter = GalleryFilter.Parse(request.Query.ToDictionary(q => q.Key, q => q.Value));
            return Results.Ok(await gallery.GetPageAsync(id, filter, skip ?? 0, take ?? 100, inline ?? false, cancellationToken));
        });
    }

    private static async Task<IResult> GetRelabelCsvAsync(SampleReviews reviews, int id, CancellationToken cancellationToken)
    {
        if (await reviews.GetRelabelListAsync(id, cancellationToken) is not { } rows)
        {
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"There is no dataset {id}.");
        }

        var csv = SpreadsheetSafeCsv.ToBytes(table =>
        {
            table.WriteHeader(["sample_id", "ordinal", "image_sha256", "image_url", "ground_truth", "suggested_label", "reason", "flagged_by", "flagged_at"]);
            foreach (var r in rows)
            {
                table.WriteField(r.SampleId);
                table.WriteField(r.Ordinal);
                table.WriteField(r.ImageSha256);
                table.WriteField($"/api/samples/{r.SampleId}/image");
                table.WriteField(r.GroundTruth);
                table.WriteField(r.SuggestedLabel);
                table.WriteField(r.Reason);
                table.WriteField(r.FlaggedBy);
                table.WriteField(r.FlaggedAt.UtcDateTime, "yyyy-MM-dd'T'HH:mm:ss'Z'");
                table.EndRecord();
            }
        });

        return Results.File(csv, "text/csv; charset=utf-8", $"relabel-dataset-{id}.csv");
    }

    private static async Task<IResult> Answer(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (GalleryException e)
        {
            return Results.Problem(statusCode: e.StatusCode, title: e.StatusCode switch
            {
                404 => "Not found",
                409 => "Conflict",
                422 => "Cannot do that",
                _ => "Bad request",
            }, detail: e.Message, extensions: e.Field is null ? null : new Dictionary<string, object?> { ["field"] = e.Field });
        }
    }

    private static IResult Bad(string detail) => Results.Problem(statusCode: 400, title: "Bad request", detail: detail);
}
