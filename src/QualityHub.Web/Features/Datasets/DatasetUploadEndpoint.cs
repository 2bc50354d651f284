using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;
using QualityHub.Web.Api;

namespace QualityHub.Web.Features.Datasets;

/// <summary>
/// POST /api/datasets/upload: multipart/form-data with the dataset's fields and either a <c>zip</c> part (images with
/// labels.csv or labels.jsonl) or <c>images</c> and <c>labelsFile</c> parts (IDX, plain or gzip), in any order. Files
/// stream into the store's temp folder, never whole in memory, and are deleted when the request ends however it ends.
/// </summary>
internal static class DatasetUploadEndpoint
{
    // The form has eleven fields; a label set of a few thousand classes fits in one.
    private const int MaxFieldChars = 64 * 1024;
    private const int MaxTotalFieldChars = 256 * 1024;
    private const int MaxFields = 32;
    private static readonly string[] FileParts = ["zip", "images", "labelsFile"];

    public static async Task<IResult> HandleAsync(
        HttpContext context, DatasetImporter importer, ContentStore store, DatasetImportMonitor monitor, IOptions<RegistryOptions> options, string? progressId, CancellationToken cancellationToken)
    {
        // The limit below is ours, enforced while streaming; Kestrel's default 30 MB cap would stop real datasets first.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        var maxBytes = options.Value.MaxDatasetUploadMb * 1024 * 1024;
        if (Boundary(context.Request) is not { } boundary)
        {
            return Problem(400, "Expected multipart/form-data", "Send the dataset's fields and its file(s) as multipart/form-data.");
        }

        if (context.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var reporter = monitor.Follow(progressId);
        var upload = new Upload();
        try
        {
            var length = context.Request.ContentLength ?? 0;
            var body = new UploadBodyStream(context.Request.Body, maxBytes, bytes => reporter.Received(bytes, Math.Max(bytes, length)));
            return await ReceiveAsync(new MultipartReader(boundary, body), upload, store, cancellationToken)
                ?? await ImportAsync(upload, importer, options.Value, reporter, cancellationToken);
        }
        catch (Exception e) when (e is UploadInterruptedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return UploadInterruptedException.Abort(context);
        }
        catch (UploadTooLargeException e)
        {
            return TooLarge(e.MaxBytes);
        }
        catch (MultipartLimitException e)
        {
            return Problem(400, "Form too large", e.Message);
        }
        catch (InvalidDataException e)
        {
            return Problem(400, "Malformed multipart body", e.Message);
        }
        finally
        {
            upload.Dispose();
            reporter.Finish();
        }
    }

    /// <summary>Reads every part: fields into <paramref name="upload"/>, files into the temp folder. A problem result, or null when all is in.</summary>
    private static async Task<IResult?> ReceiveAsync(MultipartReader reader, Upload upload, ContentStore store, CancellationToken cancellationToken)
    {
        var fields = new MultipartFields(MaxFieldChars, MaxTotalFieldChars, MaxFields);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                return Problem(400, "Malformed multipart section", "A section has no Content-Disposition header.");
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (!disposition.IsFileDisposition())
            {
                upload.Fields[name] = await fields.ReadAsync(section, name, cancellationToken);
                continue;
            }

            if (!FileParts.Contains(name) || upload.Files.ContainsKey(name))
            {
                return Problem(400, "Unexpected file part", $"A file part is named '{name}': send one 'zip' part, or one 'images' and one 'labelsFile' part.");
            }

            var fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? name;
            upload.Files[name] = await store.StageAsync(section.Body, fileName, cancellationToken);
        }

        return null;
    }

    private static async Task<IResult> ImportAsync(Upload upload, DatasetImporter importer, RegistryOptions options, ImportReporter reporter, CancellationToken cancellationToken)
    {
        DatasetImportRequest request;
        try
        {
            request = upload.ToRequest();
            upload.Source = upload.OpenSource(options);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or InvalidImageException)
        {
            return Problem(400, "Upload unusable", e.Message);
        }

        var result = await importer.ImportAsync(request, upload.Source, reporter, cancellationToken);
        return DatasetsEndpoints.Outcome(result);
    }

    private static string? Boundary(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 } boundary
            ? boundary
            : null;

    private static IResult TooLarge(long maxBytes) =>
        Problem(413, "Upload too large", $"The upload is larger than the {maxBytes / 1048576.0:0.#} MiB allowed (Registry:MaxDatasetUploadMb); nothing was registered.");

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>What a request sent: its fields, its staged files, and the source opened over them.</summary>
    private sealed class Upload : IDisposable
    {
        public Dictionary<string, string> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, StagedFile> Files { get; } = new(StringComparer.Ordinal);

        public DatasetSource? Source { get; set; }

        public DatasetImportRequest ToRequest() => new()
        {
            Name = Field("name"),
            LicenceId = Field("licenceId"),
            ModuleName = Field("moduleName") is { Length: > 0 } module ? module : null,
            TaskType = Choice("taskType", TaskType.ImageClassification),
            Split = Choice("split", DatasetSplit.Test),
            Source = Field("source"),
            CommercialUseAllowed = Field("commercialUseAllowed") switch
            {
                "" => false,
                var text when bool.TryParse(text, out var allowed) => allowed,
                var text => throw new ArgumentException($"'commercialUseAllowed' is true or false, not '{text}'."),
            },
            Attribution = Field("attribution"),
            Labels = List("labels"),
            CommonTags = List("tags"),
        };

        /// <summary>The source over the staged files, read within the registry's limits and named by part, never by their temp path.</summary>
        public DatasetSource OpenSource(RegistryOptions limits) => (Files.GetValueOrDefault("zip"), Files.GetValueOrDefault("images"), Files.GetValueOrDefault("labelsFile")) switch
        {
            ({ } zip, null, null) => DatasetSource.FromZip(Named(zip, "zip"), limits),
            (null, { } images, { } labels) => DatasetSource.FromIdx(Named(images, "images"), Named(labels, "labelsFile"), limits),
            _ => throw new ArgumentException("Send either one 'zip' file part, or an 'images' and a 'labelsFile' part (IDX), not both and not neither."),
        };

        private static ImportFile Named(StagedFile file, string part) => new(file.Path, $"{part} ({System.IO.Path.GetFileName(file.Path)})");

        public void Dispose()
        {
            Source?.Dispose();
            foreach (var file in Files.Values)
            {
                file.Dispose();
            }
        }

        private string Field(string name) => Fields.GetValueOrDefault(name)?.Trim() ?? "";

        private T Choice<T>(string name, T fallback)
            where T : struct, Enum
        {
            var text = Field(name);
            if (text.Length == 0)
            {
                return fallback;
            }

            var known = Enum.GetNames<T>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"'{name}' is one of {string.Join(", ", Enum.GetNames<T>())}, not '{text}'.");
            return Enum.Parse<T>(known);
        }

        private IReadOnlyList<string> List(string name) =>
            Field(name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
