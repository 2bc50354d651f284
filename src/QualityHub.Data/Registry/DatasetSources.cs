using System.Text.Json;
using CsvHelper;
using QualityHub.Core.Domain;
using QualityHub.Core.Pipelines;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Registry;

/// <summary>
/// Where an import's items come from: IDX files, a folder or zip with a labels CSV, or a JSONL file. Each factory reads
/// within the size limits of the <see cref="RegistryOptions"/> it is given (their defaults when none), and its messages
/// name files by <see cref="ImportFile.Name"/>.
/// </summary>
public abstract class DatasetSource : IDisposable
{
    /// <summary>Problems that stop the import before any item is read (e.g. a zip bomb).</summary>
    internal virtual IEnumerable<ImportIssue> Precheck(DatasetImportRequest request, RegistryOptions options) => [];

    internal abstract int Count { get; }

    internal abstract IEnumerable<ImportItem> Items(DatasetImportRequest request);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>MNIST / Fashion-MNIST IDX images and labels (plain or gzip); label i is named by the request's label set.</summary>
    public static DatasetSource FromIdx(ImportFile images, ImportFile labels, RegistryOptions? limits = null) =>
        new IdxSource(images, labels, ImportLimits.From(limits));

    /// <summary>A folder of images (JPEG, PNG, WebP, BMP, GIF) and a CSV with columns file,label[,tags] (tags separated by ';').</summary>
    public static DatasetSource FromFolder(ImportFile folder, ImportFile csv, RegistryOptions? limits = null)
    {
        var bounds = ImportLimits.From(limits);
        return new TabularSource(new FolderFiles(folder, bounds.ImageFile), ImportFiles.ReadAllText(csv, bounds.LabelsFile), Path.GetFileName(csv.Path));
    }

    /// <summary>A zip of images (JPEG, PNG, WebP, BMP, GIF) with labels.csv (file,label[,tags]) or labels.jsonl at its root.</summary>
    public static DatasetSource FromZip(ImportFile zipFile, RegistryOptions? limits = null)
    {
        var zip = new ZipFiles(zipFile, ImportLimits.From(limits));
        try
        {
            if (zip.TryReadText("labels.csv") is { } csv)
            {
                return new TabularSource(zip, csv, "labels.csv");
            }

            if (zip.TryReadText("labels.jsonl") is { } jsonl)
            {
                return new JsonlSource(zip, jsonl, "labels.jsonl");
            }

            throw new InvalidDataException("The zip has neither labels.csv nor labels.jsonl at its root.");
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>JSON lines {"image": "relative/path.png", "text": "…", "tags": [...]} for text recognition; paths relative to the file.</summary>
    public static DatasetSource FromJsonl(ImportFile jsonl, RegistryOptions? limits = null)
    {
        var bounds = ImportLimits.From(limits);
        var folder = new ImportFile(Path.GetDirectoryName(Path.GetFullPath(jsonl.Path))!, $"the folder of {jsonl.Name}");
        return new JsonlSource(new FolderFiles(folder, bounds.ImageFile), ImportFiles.ReadAllText(jsonl, bounds.LabelsFile), Path.GetFileName(jsonl.Path));
    }

    private sealed class IdxSource : DatasetSource
    {
        private readonly IdxImages images;
        private readonly IdxLabels labels;
        private readonly string labelsName;

        public IdxSource(ImportFile imagesFile, ImportFile labelsFile, ImportLimits limits)
        {
            images = Load(imagesFile, stream => IdxImages.Read(stream, limits.IdxData));
            labels = Load(labelsFile, stream => IdxLabels.Read(stream, limits.IdxData));
            labelsName = Path.GetFileName(labelsFile.Path);
        }

        internal override int Count => images.Count;

        private static T Load<T>(ImportFile file, Func<Stream, T> read)
        {
            using var stream = ImportFiles.OpenRead(file);
            try
            {
                return read(stream);
            }
            catch (InvalidImageException e)
            {
                throw new InvalidImageException($"{file.Name}: {e.Message}", e);
            }
        }

        internal override IEnumerable<ImportIssue> Precheck(DatasetImportRequest request, RegistryOptions options)
        {
            if (images.Count != labels.Count)
            {
                yield return new ImportIssue(labelsName, $"{labels.Count} labels for {images.Count} images");
            }

            if (request.Labels.Count == 0)
            {
                yield return new ImportIssue("labels", "IDX labels are class numbers: give the label set, the class names in class order");
            }
        }

        internal override IEnumerable<ImportItem> Items(DatasetImportRequest request)
        {
            for (var i = 0; i < images.Count; i++)
            {
                var index = i;
                var label = labels[i];
                var reference = $"image {i}";
                if (label >= request.Labels.Count)
                {
                    yield return new ImportItem(reference, () => [], null, [], $"label {label} is outside the {request.Labels.Count} labels given");
                    continue;
                }

                yield return new ImportItem(reference, () => PngEncoder.Encode(images.GetImage(index)), request.Labels[label], request.CommonTags);
            }
        }
    }

    private sealed class TabularSource : DatasetSource
    {
        private readonly IFileSet files;
        private readonly string csvName;
        private readonly List<(long Line, string[] Cells)> records;
        private readonly CsvFormatException? malformed;

        public TabularSource(IFileSet files, string csv, string csvName)
        {
            (this.files, this.csvName) = (files, csvName);
            try
            {
                records = CsvRecords.Read(csv);
            }
            catch (CsvFormatException e)
            {
                (records, malformed) = ([], e);
            }
        }

        internal override int Count => Math.Max(0, records.Count - 1);

        internal override IEnumerable<ImportIssue> Precheck(DatasetImportRequest request, RegistryOptions options)
        {
            foreach (var issue in files.Precheck(options))
            {
                yield return issue;
            }

            if (malformed is not null)
            {
                yield return new ImportIssue(malformed.LineNumber > 0 ? $"{csvName} line {malformed.LineNumber}" : csvName, malformed.Message);
            }

            var header = records.Count > 0 ? records[0].Cells : [];
            if (header.Length < 2 || header[0] != "file" || header[1] != "label")
            {
                yield return new ImportIssue(csvName, "the first line must be the header file,label[,tags]");
            }
        }

        internal override IEnumerable<ImportItem> Items(DatasetImportRequest request)
        {
            var known = request.Labels.ToHashSet(StringComparer.Ordinal);
            foreach (var (line, cells) in records.Skip(1))
            {
                var reference = $"{csvName} line {line}";
                if (cells.Length < 2)
                {
                    yield return new ImportItem(reference, () => [], null, [], "needs at least file and label: the label field is missing");
                    continue;
                }

                var (file, label) = (cells[0], cells[1]);
                var tags = cells.Length > 2 ? cells[2].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                var problem = known.Count > 0 && !known.Contains(label) ? $"label '{label}' is not one of the dataset's labels ({string.Join(", ", request.Labels)})"
                    : files.Check(file);
                yield return new ImportItem($"{reference} ({file})", () => files.Read(file), label, [.. request.CommonTags, .. tags], problem);
            }
        }

        public override void Dispose()
        {
            files.Dispose();
            base.Dispose();
        }
    }

    private sealed class JsonlSource(IFileSet files, string jsonl, string name) : DatasetSource
    {
        private readonly string[] lines = jsonl.ReplaceLineEndings("\n").Split('\n');

        internal override int Count => lines.Count(l => l.Trim().Length > 0);

        internal override IEnumerable<ImportIssue> Precheck(DatasetImportRequest request, RegistryOptions options) => files.Precheck(options);

        internal override IEnumerable<ImportItem> Items(DatasetImportRequest request)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim().Length == 0)
                {
                    continue;
                }

                var reference = $"{name} line {i + 1}";
                var (image, text, tags, problem) = Parse(lines[i], request.CommonTags, request.TaskType == TaskType.Pipeline);
                yield return new ImportItem(image is null ? reference : $"{reference} ({image})", () => files.Read(image!), text, tags, problem);
            }
        }

        /// <summary>One line's image path, text and tags, or what is wrong with it (never quoting the line: it may not be ours to show).</summary>
        /// <remarks>A card photo (a pipeline's dataset) has no "text" but its fields and lines (<see cref="CardPhotoJson"/>), stored as its ground truth.</remarks>
        private (string? Image, string? Text, List<string> Tags, string? Problem) Parse(string line, IReadOnlyList<string> commonTags, bool cardPhoto)
        {
            var tags = new List<string>(commonTags);
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return (null, null, tags, $"not a JSON object but a JSON {root.ValueKind.ToString().ToLowerInvariant()}");
                }

                var image = root.TryGetProperty("image", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                string? text;
                string? truthProblem = null;
                if (cardPhoto)
                {
                    (_, text, truthProblem) = CardPhotoJson.Read(root);
                }
                else
                {
                    text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                }

                if (root.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    tags.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                }

                var problem = image is null ? "\"image\" (a relative path) is missing"
                    : truthProblem is not null ? $"the card photo's truth: {truthProblem}"
                    : text is null ? "\"text\" (the expected string) is missing"
                    : files.Check(image);
                return (image, text, tags, problem);
            }
            catch (JsonException e)
            {
                // JsonException's message quotes the character it stopped at; the position alone says where.
                return (null, null, tags, $"not a JSON object: invalid JSON at byte {(e.BytePositionInLine ?? 0) + 1}");
            }
        }

        public override void Dispose()
        {
            files.Dispose();
            base.Dispose();
        }
    }
}
