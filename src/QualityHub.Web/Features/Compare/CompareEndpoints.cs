using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Compare;

/// <summary>POST /api/compare and GET /api/engine.</summary>
public static class CompareEndpoints
{
    public static RouteGroupBuilder MapCompareApi(this RouteGroupBuilder api)
    {
        api.MapPost("/compare", CompareAsync).WithMetadata(new Accounts.ReadOnlyRequestAttribute())
            .Produces<CompareResponse>().ProducesProblems(404, 422);
        api.MapGet("/engine", (EngineMonitor monitor) => monitor.Current());
        return api;
    }

    private static async Task<IResult> CompareAsync(CompareRequest body, CandidateSource source, ComparisonRunner runner, CancellationToken cancellationToken)
    {
        try
        {
            var candidates = await source.ResolveAsync(body.ModelVersionIds, cancellationToken);
            var input = (body.SampleId, body.ImagePngBase64) switch
            {
                ({ } sampleId, null) => await source.SampleInputAsync(sampleId, cancellationToken),
                (null, { } base64) => source.UploadedInput(DecodeBase64(base64)),
                (null, null) => throw new CompareException("Give the input as sampleId or imagePngBase64."),
                _ => throw new CompareException("Give either sampleId or imagePngBase64, not both."),
            };
            var results = await runner.RunAllAsync(candidates, input, cancellationToken);
            return Results.Ok(new CompareResponse(results, input.Sample?.Id, input.GroundTruth));
        }
        catch (CompareException e)
        {
            return Results.Problem(statusCode: e.StatusCode, title: "Comparison not run", detail: e.Message);
        }
    }

    private static byte[] DecodeBase64(string base64)
    {
        // Accept a data URL as the browser's canvas.toDataURL gives it.
        var comma = base64.StartsWith("data:", StringComparison.Ordinal) ? base64.IndexOf(',') : -1;
        try
        {
            return Convert.FromBase64String(base64[(comma + 1)..]);
        }
        catch (FormatException)
        {
            throw new CompareException("imagePngBase64 is not valid base64.");
        }
    }

    /// <summary>The body of POST /api/compare; <c>imagePngBase64</c> may hold a JPEG, PNG, WebP, BMP or GIF (the name is kept for existing callers).</summary>
    public sealed record CompareRequest(IReadOnlyList<int>? ModelVersionIds, long? SampleId = null, string? ImagePngBase64 = null);

    /// <summary>One result per model version, in the order asked.</summary>
    public sealed record CompareResponse(IReadOnlyList<CandidateResult> Items, long? SampleId, string? GroundTruth);
}
