using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Registry;

namespace QualityHub.Cli.Commands;

/// <summary>Imports a dataset from IDX, a folder or zip with a labels CSV, or JSONL, with progress and a per-item report.</summary>
internal sealed class ImportDatasetCommand : ICliCommand
{
    public string Name => "import-dataset";

    public string Summary => "Import a dataset (IDX, folder + labels CSV, zip, or JSONL); every bad item is reported, nothing is registered unless all are good.";

    public string Usage =>
        "--name NAME --licence ID (--idx-images F --idx-labels F | --folder DIR --csv F | --zip F | --jsonl F) " +
        "[--module NAME] [--task classification|text] [--labels a,b,c] [--split test|train|online] [--commercial yes|no] [--attribution TEXT] [--source TEXT] [--tags a,b]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string>
    {
        "name", "licence", "idx-images", "idx-labels", "folder", "csv", "zip", "jsonl", "module", "task", "labels", "split", "commercial", "attribution", "source", "tags",
    };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var request = new DatasetImportRequest
        {
            Name = args.Get("name") ?? throw new UsageException("--name is required."),
            LicenceId = args.Get("licence") ?? throw new UsageException("--licence is required (SPDX or Creative Commons id, or 'contract')."),
            ModuleName = args.Get("module"),
            TaskType = args.Get("task") switch
            {
                null or "classification" => TaskType.ImageClassification,
                "text" => TaskType.TextRecognition,
                var other => throw new UsageException($"--task is classification or text, not '{other}'."),
            },
            Split = args.Get("split") switch
            {
                null or "test" => DatasetSplit.Test,
                "train" => DatasetSplit.Train,
                "online" => DatasetSplit.OnlineSample,
                var other => throw new UsageException($"--split is test, train or online, not '{other}'."),
            },
            CommercialUseAllowed = args.Get("commercial") is "yes" or "true",
            Attribution = args.Get("attribution") ?? "",
            Source = args.Get("source") ?? "",
            Labels = Split(args.Get("labels")),
            CommonTags = Split(args.Get("tags")),
        };

        return await ImportAsync(context, request, OpenSource(args), cancellationToken);
    }

    /// <summary>Opens the source within the configured size limits (Registry:Max…), imports it and reports; the operator's paths are not confined to Registry:ImportRoots.</summary>
    internal static async Task<int> ImportAsync(CliContext context, DatasetImportRequest request, Func<RegistryOptions, DatasetSource> openSource, CancellationToken cancellationToken)
    {
        DatasetSource source;
        try
        {
            source = openSource(context.Services.GetRequiredService<IOptions<RegistryOptions>>().Value);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or Inference.Imaging.InvalidImageException)
        {
            await context.Error.WriteLineAsync($"The import source cannot be read: {e.Message}");
            return 1;
        }

        await context.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using (source)
        {
            var progress = new ConsoleProgress(context.Error, started);
            var result = await context.Services.GetRequiredService<DatasetImporter>().ImportAsync(request, source, progress, cancellationToken);
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (result.Succeeded)
            {
                await context.Out.WriteLineAsync($"imported dataset {result.Dataset!.Id} '{result.Dataset.Name}': {result.Items:N0} samples in {seconds:F1} s");
                return 0;
            }

            foreach (var issue in result.Issues)
            {
                await context.Error.WriteLineAsync(issue.ToString());
            }

            await context.Error.WriteLineAsync($"{result.Issues.Count} problem(s); nothing was imported.");
            return 1;
        }
    }

    private static Func<RegistryOptions, DatasetSource> OpenSource(CommandLine args)
    {
        var chosen = new[] { "idx-images", "folder", "zip", "jsonl" }.Where(o => args.Get(o) is not null).ToList();
        if (chosen.Count != 1)
        {
            throw new UsageException("Give exactly one source: --idx-images with --idx-labels, --folder with --csv, --zip, or --jsonl.");
        }

        return chosen[0] switch
        {
            "idx-images" => limits => DatasetSource.FromIdx(args.Get("idx-images")!, args.Get("idx-labels") ?? throw new UsageException("--idx-labels is required with --idx-images."), limits),
            "folder" => limits => DatasetSource.FromFolder(args.Get("folder")!, args.Get("csv") ?? throw new UsageException("--csv is required with --folder."), limits),
            "zip" => limits => DatasetSource.FromZip(args.Get("zip")!, limits),
            _ => limits => DatasetSource.FromJsonl(args.Get("jsonl")!, limits),
        };
    }

    private static IReadOnlyList<string> Split(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>One progress line per report, with the rate and time left.</summary>
    private sealed class ConsoleProgress(TextWriter writer, long started) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            var rate = value.Done / Math.Max(seconds, 1e-3);
            var eta = rate > 0 ? (value.Total - value.Done) / rate : 0;
            writer.WriteLine($"{value.Phase}: {value.Done:N0}/{value.Total:N0} ({rate:N0}/s, ETA {eta:F0} s)");
        }
    }
}
