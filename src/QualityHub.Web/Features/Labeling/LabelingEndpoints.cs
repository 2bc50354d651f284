using Microsoft.AspNetCore.Http.Features;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Labeling;

/// <summary>
/// Labeling jobs with outside vendors: GET/POST /api/labeling-jobs, GET/PATCH /api/labeling-jobs/{id}, the vendor's
/// zip (GET …/export.zip), questions (POST …/questions, PATCH …/questions/{qid} to answer), deliveries (POST
/// …/deliveries, multipart with a file), their disagreements (GET …/disagreements, PUT …/reviews) and the merge into
/// a new dataset version (POST …/merge). Reading (the zip too: its images are readable anyway) is for everyone signed
/// in; the rest for data curators (and admins).
/// </summary>
public static class LabelingEndpoints
{
    /// <summary>The multipart form of a delivery: the vendor's CSV or JSONL file.</summary>
    public sealed record DeliveryUploadForm(IFormFile File);

    public static RouteGroupBuilder MapLabelingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/labeling-jobs", (LabelingJobs jobs, CancellationToken ct) => Answer(async () => Results.Ok(await jobs.ListAsync(ct))))
            .Produces<LabelingOverview>();
        api.MapPost("/labeling-jobs", (LabelingJobInput? body, LabelingJobs jobs, HttpContext http, CancellationToken ct) =>
            body is null ? Task.FromResult(Bad("body", "Send a job: { \"name\", \"from\": { \"kind\": \"flags\", \"datasetId\": 1 }, \"unitPrice\", \"currency\", \"budget\", \"deadline\", \"vendorName\", \"goldCount\", … }."))
            : Answer(async () =>
            {
                var job = await jobs.CreateAsync(body, Actor.Of(http.User), ct);
                return Results.Created($"/api/labeling-jobs/{job.Id}", job);
            }))
            .RequireAuthorization(Policies.Curate).Produces<LabelingJobView>(StatusCodes.Status201Created).ProducesProblems(400, 404, 422);
        api.MapGet("/labeling-jobs/{id:int}", (int id, LabelingJobs jobs, CancellationToken ct) => Answer(async () => Results.Ok(await jobs.GetAsync(id, ct))))
            .Produces<LabelingJobDetail>().ProducesProblems(404);
        api.MapPatch("/labeling-jobs/{id:int}", (int id, LabelingJobPatch? body, LabelingJobs jobs, HttpContext http, CancellationToken ct) =>
            body is null ? Task.FromResult(Bad("body", "Send the fields to change, e.g. { \"status\": \"sent\" } or { \"guide\": \"…\" }."))
            : Answer(async () => Results.Ok(await jobs.UpdateAsync(id, body, Actor.Of(http.User), ct))))
            .RequireAuthorization(Policies.Curate).Produces<LabelingJobView>().ProducesProblems(400, 404, 409, 422);
        api.MapGet("/labeling-jobs/{id:int}/export.zip", (int id, LabelingExport export, CancellationToken ct) => Answer(async () =>
            {
                var (zip, name) = await export.ExportAsync(id, ct);
                return Results.File(zip, "application/zip", name);
            }))
            .ProducesFile("application/zip").ProducesProblems(404, 409);
        api.MapPost("/labeling-jobs/{id:int}/questions", (int id, LabelingQuestionInput? body, LabelingJobs jobs, HttpContext http, CancellationToken ct) =>
            body is null ? Task.FromResult(Bad("body", "Send a question { \"text\", \"sampleId\", \"askedBy\" } or a list to import: { \"questions\": [ … ] }."))
            : Answer(async () => Results.Created($"/api/labeling-jobs/{id}", await jobs.AskAsync(id, body, Actor.Of(http.User), ct))))
            .RequireAuthorization(Policies.Curate).Produces<IReadOnlyList<LabelingQuestionView>>(StatusCodes.Status201Created).ProducesProblems(400, 404, 422);
        api.MapPatch("/labeling-jobs/{id:int}/questions/{questionId:int}", (int id, int questionId, LabelingAnswerInput? body, LabelingJobs jobs, HttpContext http, CancellationToken ct) =>
            body is null ? Task.FromResult(Bad("body", "Send { \"answer\": \"…\", \"addToGuide\": true }."))
            : Answer(async () => Results.Ok(await jobs.AnswerAsync(id, questionId, body, Actor.Of(http.User), ct))))
            .RequireAuthorization(Policies.Curate).Produces<LabelingQuestionView>().ProducesProblems(400, 404, 409, 422);
        api.MapPost("/labeling-jobs/{id:int}/deliveries", ReceiveAsync).DisableAntiforgery()
            .RequireAuthorization(Policies.Curate).DescribesBody<DeliveryUploadForm>("multipart/form-data")
            .Produces<LabelingDeliveryView>(StatusCodes.Status201Created).ProducesProblems(400, 404, 409, 413, 422);
        api.MapGet("/labeling-jobs/{id:int}/disagreements", (int id, int? deliveryId, LabelingDeliveries deliveries, CancellationToken ct) =>
            Answer(async () => Results.Ok(await deliveries.DisagreementsAsync(id, deliveryId, ct))))
            .Produces<IReadOnlyList<DisagreementView>>().ProducesProblems(404, 409);
        api.MapPut("/labeling-jobs/{id:int}/reviews", (int id, int? deliveryId, ReviewInput? body, LabelingDeliveries deliveries, HttpContext http, CancellationToken ct) =>
            body is null ? Task.FromResult(Bad("body", "Send { \"decisions\": [{ \"rowId\": …, \"decision\": \"acceptVendor\" | \"keepOurs\" | \"ambiguous\" }] }."))
            : Answer(async () => Results.Ok(await deliveries.ReviewAsync(id, deliveryId, body, Actor.Of(http.User), ct))))
            .RequireAuthorization(Policies.Curate).Produces<LabelingDeliveryView>().ProducesProblems(400, 404, 409);
        api.MapPost("/labeling-jobs/{id:int}/merge", (int id, MergeInput? body, LabelingDeliveries deliveries, HttpContext http, CancellationToken ct) =>
            Answer(async () => Results.Ok(await deliveries.MergeAsync(id, body ?? new MergeInput(), Actor.Of(http.User), ct))))
            .RequireAuthorization(Policies.Curate).Produces<MergeResult>().ProducesProblems(404, 409);
        return api;
    }

    private static async Task<IResult> ReceiveAsync(int id, HttpContext http, LabelingDeliveries deliveries, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return Bad("file", "Send the delivery as multipart/form-data with the vendor's CSV or JSONL file in the field \"file\".");
        }

        if (http.Request.ContentLength > DeliveryFile.MaxBytes + 64 * 1024)
        {
            return Results.Problem(statusCode: 413, title: "Too large", detail: $"A delivery file has at most {DeliveryFile.MaxBytes / (1024 * 1024)} MiB.");
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = DeliveryFile.MaxBytes, ValueCountLimit = 16 }, ct);
        }
        catch (InvalidDataException e)
        {
            return Bad("file", $"The form cannot be read: {e.Message}");
        }

        if (form.Files.GetFile("file") is not { } file)
        {
            return Bad("file", "The form has no file in the field \"file\".");
        }

        if (file.Length > DeliveryFile.MaxBytes)
        {
            return Results.Problem(statusCode: 413, title: "Too large", detail: $"A delivery file has at most {DeliveryFile.MaxBytes / (1024 * 1024)} MiB.");
        }

        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, ct);
        return await Answer(async () =>
        {
            var delivery = await deliveries.ReceiveAsync(id, buffer.ToArray(), file.FileName, Actor.Of(http.User), ct);
            return Results.Created($"/api/labeling-jobs/{id}", delivery);
        });
    }

    private static IResult Bad(string field, string message) => new LabelingException(field, message, 400).ToProblem();

    private static async Task<IResult> Answer(Func<Task<IResult>> answer)
    {
        try
        {
            return await answer();
        }
        catch (LabelingException e)
        {
            return e.ToProblem();
        }
    }
}
