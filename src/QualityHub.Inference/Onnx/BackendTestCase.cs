using System.Globalization;

namespace QualityHub.Inference.Onnx;

/// <summary>One ONNX backend test case: a model.onnx beside test_data_set_N folders of input and output .pb files.</summary>
/// <remarks>
/// The layout is that of ONNX's backend test data (Debian ships it as libonnx-testdata):
/// root/suite/case/model.onnx and root/suite/case/test_data_set_N/{input,output}_K.pb.
/// </remarks>
public sealed record BackendTestCase(string Suite, string Name, string Directory, string ModelPath, IReadOnlyList<BackendTestDataSet> DataSets)
{
    /// <summary>Where Debian's libonnx-testdata puts the suites (node, pytorch-converted, pytorch-operator, simple, real).</summary>
    public const string DebianRoot = "/usr/share/libonnx-testdata/data";

    private const string DataSetPrefix = "test_data_set_";

    /// <summary>Every case under <paramref name="root"/>, ordered by suite, then case name (ordinal).</summary>
    /// <remarks>
    /// Folders without a model.onnx are left out: the "real" suite lists only download URLs of large models.
    /// </remarks>
    /// <exception cref="DirectoryNotFoundException">The root folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A data set's files are not numbered 0, 1, 2, … without gaps.</exception>
    public static IReadOnlyList<BackendTestCase> Discover(string root)
    {
        if (!System.IO.Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"ONNX backend test data not found at {root}; on Debian, install the package libonnx-testdata.");
        }

        var cases = new List<BackendTestCase>();
        foreach (var suiteDirectory in SortedSubdirectories(root))
        {
            foreach (var caseDirectory in SortedSubdirectories(suiteDirectory))
            {
                var modelPath = Path.Combine(caseDirectory, "model.onnx");
                if (File.Exists(modelPath))
                {
                    cases.Add(new BackendTestCase(Path.GetFileName(suiteDirectory), Path.GetFileName(caseDirectory), caseDirectory, modelPath, DataSetsIn(caseDirectory)));
                }
            }
        }

        return cases;
    }

    public override string ToString() => $"{Suite}/{Name}";

    private static IEnumerable<string> SortedSubdirectories(string directory) =>
        System.IO.Directory.GetDirectories(directory).Order(StringComparer.Ordinal);

    private static BackendTestDataSet[] DataSetsIn(string caseDirectory) =>
        [.. System.IO.Directory.GetDirectories(caseDirectory, DataSetPrefix + "*")
            .Select(directory => (Directory: directory, Number: NumberAfter(Path.GetFileName(directory), DataSetPrefix)))
            .Where(set => set.Number is not null)
            .OrderBy(set => set.Number)
            .Select(set => new BackendTestDataSet(Path.GetFileName(set.Directory), set.Directory, NumberedFiles(set.Directory, "input_"), NumberedFiles(set.Directory, "output_")))];

    /// <summary>prefixK.pb files ordered by K (so input_10 follows input_9), refusing gaps that would misalign them with the graph.</summary>
    private static string[] NumberedFiles(string directory, string prefix)
    {
        var files = System.IO.Directory.GetFiles(directory, prefix + "*.pb")
            .Select(path => (Path: path, Number: NumberAfter(Path.GetFileNameWithoutExtension(path), prefix)))
            .Where(file => file.Number is not null)
            .OrderBy(file => file.Number)
            .ToArray();
        for (var k = 0; k < files.Length; k++)
        {
            if (files[k].Number != k)
            {
                throw new InvalidDataException($"{directory}: {prefix}K.pb files must be numbered 0 to {files.Length - 1}, but {prefix}{k}.pb is missing.");
            }
        }

        return [.. files.Select(file => file.Path)];
    }

    private static int? NumberAfter(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
