using System.Globalization;
using System.Text;
using System.Text.Json;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;
using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>The JSON body of POST /api/evaluations: a model version or a pipeline version (a version of a pipeline), and the dataset.</summary>
public sealed record EvaluationRequest(int? ModelVersionId, int? DatasetId, int? PipelineVersionId = null);

/// <summary>A run just queued (POST /api/evaluations).</summary>
public sealed record QueuedRun(int Id, string Status, int TotalSamples);

/// <summary>A run asked to stop (POST /api/evaluations/{id}/cancel).</summary>
public sealed record CancellingRun(int Id, string Status);

/// <summary>GET /api/evaluations/compare: the runs, and each pair's paired difference.</summary>
public sealed record RunComparisonResponse(IEnumerable<RunResponse> Runs, IReadOnlyList<PairedResult> Pairs);

/// <summary>/api/evaluations: queue, watch, cancel, read, compare and export evaluation runs.</summary>
public static class EvaluationsEndpoints
{
    public static RouteGroupBuilder MapEvaluationsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/evaluations", CreateAsync).Produces<QueuedRun>(StatusCodes.Status201Created).ProducesProblems(404, 409, 422);
        api.MapGet("/evaluations", async (EvaluationCatalog catalog, int? moduleId, CancellationToken ct) =>
            (await catalog.GetRunsAsync(moduleId, ct)).Select(ToListItem));
        api.MapGet("/evaluations/compare", CompareAsync).Produces<RunComparisonResponse>().ProducesProblems(400, 404, 422);
        api.MapGet("/evaluations/{id:int}", async (EvaluationCatalog catalog, int id, CancellationToken ct) =>
            await catalog.GetRunAsync(id, ct) is { } run ? Results.Ok(ToResponse(run)) : NotFound(id))
            .Produces<RunResponse>().ProducesProblems(404);
        api.MapPost("/evaluations/{id:int}/cancel", async (EvaluationJobs jobs, EvaluationCatalog catalog, int id, CancellationToken ct) =>
        {
            if (await catalog.GetRunAsync(id, ct) is not { } run)
            {
                return NotFound(id);
            }

            return await jobs.CancelAsync(id)
                ? Results.Accepted($"/api/evaluations/{id}", new CancellingRun(id, "cancelling"))
                : Results.Problem(statusCode: 409, title: "Run already finished", detail: $"Run {id} is {run.Summary.Status.ToString().ToLowerInvariant()}; only queued or running runs can be cancelled.");
        }).Produces<CancellingRun>(StatusCodes.Status202Accepted).ProducesProblems(404, 409);
        api.MapGet("/evaluations/{id:int}/predictions", async (EvaluationCatalog catalog, int id, int? skip, int? take, CancellationToken ct) =>
        {
            if (skip < 0 || take is < 0 or > EvaluationCatalog.MaxPageSize)
            {
                return Results.Problem(statusCode: 400, title: "Bad paging", detail: $"skip must be ≥ 0 and take between 0 and {EvaluationCatalog.MaxPageSize}.");
            }

            return await catalog.GetPredictionsAsync(id, skip ?? 0, take ?? 100, ct) is { } page ? Results.Ok(page) : NotFound(id);
        }).Produces<PredictionPage>().ProducesProblems(400, 404);
        api.MapGet("/evaluations/{id:int}/predictions.csv", (EvaluationCatalog catalog, int id, HttpContext http, CancellationToken ct) => ExportPredictionsAsync(catalog, id, csv: true, http, ct))
            .ProducesFile(ApiDescriptionExtensions.Csv).ProducesProblems(404);
        api.MapGet("/evaluations/{id:int}/predictions.json", (EvaluationCatalog catalog, int id, HttpContext http, CancellationToken ct) => ExportPredictionsAsync(catalog, id, csv: false, http, ct))
            .Produces<IReadOnlyList<PredictionItem>>().ProducesProblems(404);
        api.MapGet("/evaluations/{id:int}/metrics.csv", (EvaluationCatalog catalog, int id, CancellationToken ct) => ExportMetricsAsync(catalog, id, csv: true, ct))
            .ProducesFile(ApiDescriptionExtensions.Csv).ProducesProblems(404, 409);
        api.MapGet("/evaluations/{id:int}/metrics.json", (EvaluationCatalog catalog, int id, CancellationToken ct) => ExportMetricsAsync(catalog, id, csv: false, ct))
            .Produces<RunResponse>().ProducesProblems(404, 409);
        return api;
    }

    private static async Task<IResult> CreateAsync(EvaluationRequest? body, EvaluationJobs jobs, PipelineRegistry pipelines, CancellationToken cancellationToken)
    {
        if (body?.PipelineVersionId is not null && body.ModelVersionId is not null && body.PipelineVersionId != body.ModelVersionId)
        {
            return Results.Problem(statusCode: 400, title: "Two versions", detail: "Send a modelVersionId or a pipelineVersionId, not two different ones.");
        }

        if ((body?.ModelVersionId ?? body?.PipelineVersionId) is not { } versionId || body!.DatasetId is not { } datasetId)
        {
            return Results.Problem(statusCode: 400, title: "Incomplete request", detail: "Send { \"modelVersionId\": …, \"datasetId\": … } or { \"pipelineVersionId\": …, \"datasetId\": … }.");
        }

        if (body.PipelineVersionId is { } pipelineVersionId && await pipelines.VersionAsync(pipelineVersionId, cancellationToken) is null)
        {
            return Results.Problem(statusCode: 404, title: "No such pipeline version", detail: $"There is no pipeline version {pipelineVersionId}.",
                extensions: new Dictionary<string, object?> { ["field"] = "pipelineVersionId" });
        }

        try
        {
            var run = await jobs.EnqueueAsync(versionId, datasetId, cancellationToken);
            return Results.Created($"/api/evaluations/{run.Id}", new QueuedRun(run.Id, "queued", run.TotalSamples));
        }
        catch (EvaluationException e)
        {
            return Problem(e);
        }
    }

    private static async Task<IResult> CompareAsync(RunComparer comparer, string? ids, CancellationToken cancellationToken)
    {
        var parsed = new List<int>();
        foreach (var part in (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return Results.Problem(statusCode: 400, title: "Bad ids", detail: $"ids is a comma-separated list of run ids; '{part}' is not one.");
            }

            parsed.Add(id);
        }

        try
        {
            var comparison = await comparer.CompareAsync(parsed, cancellationToken);
            return Results.Ok(new RunComparisonResponse(comparison.Runs.Select(ToResponse), comparison.Pairs));
        }
        catch (EvaluationException e)
        {
            return Problem(e);
        }
    }

    /// <summary>A run in the list: what, where, status and progress, and its headline numbers.</summary>
    public static RunListItem ToListItem(RunSummary s) => new(s);

    /// <summary>The API's view of a run: the list's fields, and the full metrics beside the headline numbers.</summary>
    public static RunResponse ToResponse(RunDetail run) => new(run);

    private static async Task ExportPredictionsAsync(EvaluationCatalog catalog, int id, bool csv, HttpContext http, CancellationToken cancellationToken)
    {
        if (await catalog.GetRunAsync(id, cancellationToken) is not { } run)
        {
            await NotFound(id).ExecuteAsync(http);
            return;
        }

        var name = $"evaluation-{id}-predictions.{(csv ? "csv" : "json")}";
        http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        var items = catalog.StreamPredictionsAsync(id, run.Summary.TaskType, cancellationToken);
        if (csv)
        {
            await using var table = SpreadsheetSafeCsv.Create(http.Response.Body);
            table.WriteHeader(["sample_id", "ordinal", "ground_truth", "output", "confidence", "correct", "edit_distance", "top_k", "tags",
                "queue_ms", "preprocess_ms", "compute_ms", "postprocess_ms", "batch_size", "error"]);
            await foreach (var p in items)
            {
                table.WriteField(p.SampleId);
                table.WriteField(p.Ordinal);
                table.WriteField(p.GroundTruth);
                table.WriteField(p.Output);
                table.WriteField(p.Confidence, SpreadsheetSafeCsv.Decimal);
                table.WriteField(p.Correct);
                table.WriteField(p.EditDistance);
                table.WriteField(string.Join(' ', p.TopK.Select(k => $"{k.Label}:{k.P.ToString(SpreadsheetSafeCsv.Decimal, CultureInfo.InvariantCulture)}")));
                table.WriteField(string.Join(' ', p.Tags));
                table.WriteField(p.QueueMs, SpreadsheetSafeCsv.Decimal);
                table.WriteField(p.PreprocessMs, SpreadsheetSafeCsv.Decimal);
                table.WriteField(p.ComputeMs, SpreadsheetSafeCsv.Decimal);
                table.WriteField(p.PostprocessMs, SpreadsheetSafeCsv.Decimal);
                table.WriteField(p.BatchSize);
                table.WriteField(p.Error);
                await table.EndRecordAsync(cancellationToken);
            }
        }
        else
        {
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 65536);
            await writer.WriteAsync("[");
            var first = true;
            await foreach (var p in items)
            {
                await writer.WriteAsync(first ? "\n" : ",\n");
                await writer.WriteAsync(JsonSerializer.Serialize(p, RunMetricsCalculator.Json));
                first = false;
            }

            await writer.WriteAsync("\n]\n");
        }
    }

    private static async Task<IResult> ExportMetricsAsync(EvaluationCatalog catalog, int id, bool csv, CancellationToken cancellationToken)
    {
        if (await catalog.GetRunAsync(id, cancellationToken) is not { } run)
        {
            return NotFound(id);
        }

        if (run.Metrics is not { } metrics)
        {
            return Results.Problem(statusCode: 409, title: "No metrics yet", detail: $"Run {id} is {run.Summary.Status.ToString().ToLowerInvariant()}; metrics exist once it completes.");
        }

        var name = $"evaluation-{id}-metrics.{(csv ? "csv" : "json")}";
        return csv
            ? Results.File(MetricsCsv.Write(run.Summary, metrics), "text/csv; charset=utf-8", name)
            : Results.File(JsonSerializer.SerializeToUtf8Bytes(ToResponse(run), RunMetricsCalculator.Json), "application/json", name);
    }

    private static IResult Problem(EvaluationException e) => Results.Problem(statusCode: e.Status, title: e.Status switch
    {
        404 => "Not found",
        409 => "Already queued",
        422 => "Cannot evaluate",
        _ => "Bad request",
    }, detail: e.Message, extensions: e.Field is null ? null : new Dictionary<string, object?> { ["field"] = e.Field });

    private static IResult NotFound(int id) => Results.Problem(statusCode: 404, title: "No such evaluation run", detail: $"There is no evaluation run {id}.");
}
