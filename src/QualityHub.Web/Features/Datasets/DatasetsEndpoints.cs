using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Web.Api;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Datasets;

/// <summary>/api/datasets, their samples, sample images and imports.</summary>
public static class DatasetsEndpoints
{
    public static RouteGroupBuilder MapDatasetsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/datasets", (DatasetCatalog catalog, CancellationToken ct) => catalog.GetDatasetsAsync(ct));
        api.MapGet("/datasets/{id:int}", async (DatasetCatalog catalog, int id, CancellationToken ct) =>
            await catalog.GetDatasetAsync(id, ct) is { } detail ? Results.Ok(detail) : NotFound(id))
            .Produces<DatasetDetail>().ProducesProblems(404);
        api.MapGet("/datasets/{id:int}/samples", async (DatasetCatalog catalog, int id, int? skip, int? take, bool? inline, string? label, string? tag, CancellationToken ct) =>
        {
            if (skip < 0 || take is < 0 or > DatasetCatalog.MaxPageSize)
            {
                return Results.Problem(statusCode: 400, title: "Bad paging", detail: $"skip must be ≥ 0 and take between 0 and {DatasetCatalog.MaxPageSize}.");
            }

            if (label?.Length > 1000 || tag?.Length > 1000)
            {
                return Results.Problem(statusCode: 400, title: "Bad filter", detail: "label and tag are at most 1,000 characters.",
                    extensions: new Dictionary<string, object?> { ["field"] = label?.Length > 1000 ? "label" : "tag" });
            }

            var filter = new SampleFilter(string.IsNullOrEmpty(label) ? null : label, string.IsNullOrEmpty(tag) ? null : tag);
            return await catalog.GetSamplesAsync(id, skip ?? 0, take ?? 100, inline ?? false, filter, ct) is { } page ? Results.Ok(page) : NotFound(id);
        }).Produces<SamplePage>().ProducesProblems(400, 404);
        api.MapGet("/samples/{id:long}/image", async (DatasetCatalog catalog, ContentStore store, long id, HttpResponse response, CancellationToken ct) =>
            {
                if (await catalog.GetImageHashAsync(id, ct) is not { } sha || !store.Contains(sha))
                {
                    return Results.Problem(statusCode: 404, title: "No such sample image", detail: $"There is no image for sample {id}.");
                }

                // A sample's image is fixed when it is imported, so the signed-in browser keeps it (only that browser:
                // private) and pages of predictions, galleries and grids stop asking again for every thumbnail.
                response.Headers.CacheControl = SampleImageCaching;
                return Results.Stream(store.OpenRead(sha), "image/png", entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha}\""));
            })
            .ProducesFile(ApiDescriptionExtensions.Png).ProducesProblems(404);
        api.MapPost("/datasets/import", ImportAsync).RequireAuthorization(Policies.Administer)
            .Produces<ImportedDataset>(StatusCodes.Status201Created).ProducesProblems(400, 403, 422);
        api.MapPost("/datasets/upload", DatasetUploadEndpoint.HandleAsync).DisableAntiforgery().RequireAuthorization(Policies.Datasets)
            .DescribesBody<DatasetUploadForm>("multipart/form-data").Produces<ImportedDataset>(StatusCodes.Status201Created).ProducesProblems(400, 413, 422);
        return api;
    }

    /// <summary>Cache-Control of a sample's image: a day in the signed-in browser's own cache, never in a shared one.</summary>
    public const string SampleImageCaching = "private, max-age=86400, immutable";

    private static IResult NotFound(int id) => Results.Problem(statusCode: 404, title: "No such dataset", detail: $"There is no dataset {id}.");

    /// <summary>
    /// Imports files already on the server (format idx, folder, zip or jsonl); every problem is listed. Admins only, and
    /// only from the folders listed in Registry:ImportRoots (none by default): a path names any file the server may read.
    /// </summary>
    private static async Task<IResult> ImportAsync(DatasetImportBody body, DatasetImporter importer, IOptions<RegistryOptions> options, CancellationToken cancellationToken)
    {
        var roots = new ImportRoots(options.Value.ImportRoots);
        if (!roots.Any)
        {
            return Results.Problem(statusCode: 403, title: "Importing from server paths is off", detail:
                $"No folder is configured to import from. An administrator can list the folders this server may import from in the setting {ImportRoots.Setting} " +
                "(e.g. the environment variable Registry__ImportRoots__0=/srv/datasets); or upload the files with POST /api/datasets/upload.");
        }

        DatasetSource source;
        try
        {
            source = OpenSource(body, roots, options.Value);
        }
        catch (ServerPathException e)
        {
            return Results.Problem(statusCode: e.Forbidden ? 403 : 400, title: e.Forbidden ? "Path outside the import folders" : "Import source unusable", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["field"] = e.Field });
        }
        catch (Exception e) when (e is ArgumentException or ImportFileException or InvalidDataException or Inference.Imaging.InvalidImageException)
        {
            return Results.Problem(statusCode: 400, title: "Import source unusable", detail: e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // These messages name absolute paths; the file was named by its field before.
            return Results.Problem(statusCode: 400, title: "Import source unusable", detail: "A file of the import could not be read.");
        }

        using (source)
        {
            return Outcome(await importer.ImportAsync(body.ToRequest(), source, cancellationToken: cancellationToken));
        }
    }

    /// <summary>
    /// Every path checked against the import roots, then the source opened over their real paths (arguments are
    /// evaluated first, so a refused second path leaves the first file unread).
    /// </summary>
    private static DatasetSource OpenSource(DatasetImportBody body, ImportRoots roots, RegistryOptions limits)
    {
        ImportFile File(string? path, string field) => roots.Resolve(field, Required(path, field));
        return body.Format?.ToLowerInvariant() switch
        {
            "idx" => DatasetSource.FromIdx(File(body.Images, "images"), File(body.LabelsFile, "labelsFile"), limits),
            "folder" => DatasetSource.FromFolder(roots.Resolve("folder", Required(body.Folder, "folder"), folder: true), File(body.Csv, "csv"), limits),
            "zip" => DatasetSource.FromZip(File(body.Zip, "zip"), limits),
            "jsonl" => DatasetSource.FromJsonl(File(body.Jsonl, "jsonl"), limits),
            _ => throw new ArgumentException($"format must be idx, folder, zip or jsonl, not '{body.Format}'."),
        };
    }

    /// <summary>201 with the new dataset, or 422 listing the problems (the first 1,000) and counting them all.</summary>
    internal static IResult Outcome(DatasetImportResult result) => result.Succeeded
        ? Results.Created($"/api/datasets/{result.Dataset!.Id}", new ImportedDataset(result.Dataset.Id, result.Dataset.Name, result.Items))
        : Results.Problem(
            statusCode: 422,
            title: "Dataset not imported",
            detail: $"{result.IssueCount:N0} problem(s) found; nothing was registered.",
            extensions: new Dictionary<string, object?>
            {
                ["issues"] = result.Issues.Select(i => new { item = i.Item, problem = i.Problem }),
                ["issueCount"] = result.IssueCount,
            });

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"'{name}' is required for this format.") : value;

    /// <summary>A dataset just registered, with how many samples it holds.</summary>
    public sealed record ImportedDataset(int Id, string Name, int Samples);

    /// <summary>
    /// The parts of POST /api/datasets/upload as OpenAPI describes them (the endpoint streams them itself): the fields,
    /// then either <c>zip</c> (images with labels.csv or labels.jsonl) or <c>images</c> and <c>labelsFile</c> (IDX).
    /// Labels and tags are comma-separated.
    /// </summary>
    public sealed record DatasetUploadForm(
        string Name, string LicenceId, string? ModuleName = null, TaskType? TaskType = null, DatasetSplit? Split = null, string? Source = null,
        bool? CommercialUseAllowed = null, string? Attribution = null, string? Labels = null, string? Tags = null,
        IFormFile? Zip = null, IFormFile? Images = null, IFormFile? LabelsFile = null);

    /// <summary>The JSON body of POST /api/datasets/import.</summary>
    public sealed record DatasetImportBody(
        string Name, string LicenceId, string? Format, string? ModuleName = null, TaskType TaskType = TaskType.ImageClassification,
        DatasetSplit Split = DatasetSplit.Test, string Source = "", bool CommercialUseAllowed = false, string Attribution = "",
        IReadOnlyList<string>? Labels = null, string? Images = null, string? LabelsFile = null, string? Folder = null, string? Csv = null, string? Zip = null, string? Jsonl = null)
    {
        public DatasetImportRequest ToRequest() => new()
        {
            Name = Name ?? "",
            LicenceId = LicenceId ?? "",
            ModuleName = ModuleName,
            TaskType = TaskType,
            Split = Split,
            Source = Source ?? "",
            CommercialUseAllowed = CommercialUseAllowed,
            Attribution = Attribution ?? "",
            Labels = Labels ?? [],
        };
    }
}
