using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

public class BackendTestCaseTests
{
    [Fact]
    public void Discovery_finds_every_case_of_debians_backend_test_data_ordered_by_suite_then_name()
    {
        var cases = BackendTestCase.Discover(BackendTestCase.DebianRoot);

        // libonnx-testdata 1.12: node 932, pytorch-converted 82, pytorch-operator 35, simple 23; "real" has no models.
        Assert.Equal(1072, cases.Count);
        Assert.Equal(
            [("node", 932), ("pytorch-converted", 82), ("pytorch-operator", 35), ("simple", 23)],
            cases.GroupBy(test => test.Suite).Select(suite => (suite.Key, suite.Count())));
        var keys = cases.Select(test => test.Suite + "/" + test.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal("node/test_abs", cases[0].ToString());
        Assert.All(cases, test => Assert.True(File.Exists(test.ModelPath)));
        Assert.All(cases, test => Assert.NotEmpty(test.DataSets));
    }

    [Fact]
    public void A_case_lists_its_data_sets_with_inputs_and_outputs_in_order()
    {
        var loop = BackendTestCase.Discover(BackendTestCase.DebianRoot).Single(test => test.Name == "test_loop13_seq");

        Assert.Equal("node", loop.Suite);
        Assert.Equal(Path.Combine(BackendTestCase.DebianRoot, "node", "test_loop13_seq", "model.onnx"), loop.ModelPath);
        var set = Assert.Single(loop.DataSets);
        Assert.Equal("test_data_set_0", set.Name);
        Assert.Equal(["input_0.pb", "input_1.pb", "input_2.pb"], set.Inputs.Select(Path.GetFileName));
        Assert.Equal(["output_0.pb"], set.Outputs.Select(Path.GetFileName));
    }

    [Fact]
    public void Data_sets_and_files_are_ordered_by_number_not_by_text()
    {
        using var root = new TemporaryFolder();
        var caseDirectory = root.Create("suite", "test_many");
        File.WriteAllBytes(Path.Combine(caseDirectory, "model.onnx"), []);
        foreach (var set in new[] { 0, 2, 10 })
        {
            var setDirectory = root.Create("suite", "test_many", $"test_data_set_{set}");
            for (var k = 0; k < 12; k++)
            {
                File.WriteAllBytes(Path.Combine(setDirectory, $"input_{k}.pb"), []);
            }

            File.WriteAllBytes(Path.Combine(setDirectory, "output_0.pb"), []);
            File.WriteAllBytes(Path.Combine(setDirectory, "notes.txt"), []);
        }

        var test = Assert.Single(BackendTestCase.Discover(root.Path));

        Assert.Equal(["test_data_set_0", "test_data_set_2", "test_data_set_10"], test.DataSets.Select(set => set.Name));
        Assert.Equal(Enumerable.Range(0, 12).Select(k => $"input_{k}.pb"), test.DataSets[2].Inputs.Select(Path.GetFileName));
    }

    [Fact]
    public void A_gap_in_the_input_numbers_is_refused_naming_the_missing_file()
    {
        using var root = new TemporaryFolder();
        File.WriteAllBytes(Path.Combine(root.Create("suite", "test_gap"), "model.onnx"), []);
        var set = root.Create("suite", "test_gap", "test_data_set_0");
        File.WriteAllBytes(Path.Combine(set, "input_0.pb"), []);
        File.WriteAllBytes(Path.Combine(set, "input_2.pb"), []);

        var error = Assert.Throws<InvalidDataException>(() => BackendTestCase.Discover(root.Path));

        Assert.Contains("input_1.pb is missing", error.Message);
    }

    [Fact]
    public void Folders_without_a_model_are_not_cases()
    {
        using var root = new TemporaryFolder();
        File.WriteAllText(Path.Combine(root.Create("real", "test_resnet50"), "data.json"), "{}");

        Assert.Empty(BackendTestCase.Discover(root.Path));
    }

    [Fact]
    public void A_missing_root_is_reported_with_the_package_to_install()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => BackendTestCase.Discover("/no/such/onnx/testdata"));

        Assert.Contains("/no/such/onnx/testdata", error.Message);
        Assert.Contains("libonnx-testdata", error.Message);
    }

    /// <summary>A folder under the temp directory, deleted with everything in it on dispose.</summary>
    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("qualityhub-backend-").FullName;

        public string Create(params string[] parts) => Directory.CreateDirectory(System.IO.Path.Combine([Path, .. parts])).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
