using QualityHub.Core.Domain;
using QualityHub.Data.Registry;

namespace QualityHub.Cli.Commands;

/// <summary>The full official Fashion-MNIST test set (10,000 images) from Debian's dataset-fashion-mnist, in one command.</summary>
internal sealed class ImportFashionMnistCommand : ICliCommand
{
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";


    public string Name => "import-fashion-mnist";

    public string Summary => "Import the full Fashion-MNIST test set (10,000 images) from Debian's dataset-fashion-mnist.";

    public string Usage => $"[--name fashion-mnist-test-10000] [--module fashion-mnist-classifier] [--folder {DebianFolder}]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "name", "module", "folder" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var folder = context.Args.Get("folder") ?? DebianFolder;
        var images = Path.Combine(folder, "t10k-images-idx3-ubyte.gz");
        var labels = Path.Combine(folder, "t10k-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
        {
            await context.Error.WriteLineAsync($"Fashion-MNIST's test files are not in {folder}: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --folder.");
            return 1;
        }

        var request = new DatasetImportRequest
        {
            Name = context.Args.Get("name") ?? "fashion-mnist-test-10000",
            ModuleName = context.Args.Get("module") ?? "fashion-mnist-classifier",
            TaskType = TaskType.ImageClassification,
            Split = DatasetSplit.Test,
            Source = $"Fashion-MNIST official test set (t10k) from Debian's dataset-fashion-mnist ({folder})",
            LicenceId = FashionMnist.LicenceId,
            CommercialUseAllowed = true,
            Attribution = FashionMnist.Attribution,
            Labels = FashionMnist.Labels,
        };
        return await ImportDatasetCommand.ImportAsync(context, request, limits => DatasetSource.FromIdx(images, labels, limits), cancellationToken);
    }
}
