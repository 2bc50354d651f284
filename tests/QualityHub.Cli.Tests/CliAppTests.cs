namespace QualityHub.Cli.Tests;

public sealed class CliAppTests : IDisposable
{
    private readonly TempFolder temp = new("qualityhub-cli-");

    // The built CLI of this test's own configuration (…/bin/Debug/net10.0/ → Debug), not a stale build of another.
    private static string CliExecutable { get; } = Directory.EnumerateFiles(
        RepositoryFiles.Path("src", "QualityHub.Cli", "bin", new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name),
        "qualityhub", SearchOption.AllDirectories).First();

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task No_command_prints_usage_and_exits_2()
    {
        var (exitCode, _, error) = await RunAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: qualityhub <command>", error);
        Assert.Contains("migrate", error);
    }

    [Fact]
    public async Task An_unknown_command_is_named_in_the_error()
    {
        var (exitCode, _, error) = await RunAsync("evaluat");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown command 'evaluat'", error);
    }

    [Fact]
    public async Task A_stray_argument_is_refused()
    {
        var (exitCode, _, error) = await RunAsync("info", "verbose");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unexpected argument 'verbose'", error);
        Assert.Contains("usage: qualityhub info", error);
    }

    [Fact]
    public async Task Migrate_creates_the_database_and_info_reports_its_schema()
    {
        var data = $"--Storage:DataDirectory={temp.Path}";

        var migrate = await RunAsync("migrate", data);
        var info = await RunAsync("info", data);

        Assert.Equal(0, migrate.ExitCode);
        Assert.True(File.Exists(Path.Combine(temp.Path, "qualityhub.db")));
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("schema:       20261207004700_LabelingJobs", info.Output); // the latest migration, none pending
        Assert.Contains("onnxruntime:  1.32.0", info.Output);
    }

    [Fact]
    public async Task Migrate_refuses_a_file_that_is_not_a_database_and_exits_1()
    {
        var path = Path.Combine(temp.Path, "qualityhub.db");
        await File.WriteAllTextAsync(path, "plain text");

        var (exitCode, _, error) = await RunAsync("migrate", $"--Storage:DataDirectory={temp.Path}");

        Assert.Equal(1, exitCode);
        Assert.Contains("is not a SQLite database", error);
        Assert.Equal("plain text", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Bench_compares_our_engine_with_onnxruntime_node_and_ends_with_the_ratio_line()
    {
        var model = RepositoryFiles.Path("tests", "QualityHub.Inference.Tests", "Models", "tiny-classifier.onnx");

        var (exitCode, output, error) = await RunAsync("bench", "--model", model, "--batch", "1,4", "--seconds", "0.2", "--rounds", "1");

        Assert.True(exitCode == 0, error);
        Assert.Matches(@"\n\s+1  qualityhub\s+[\d,]+ ", output);
        Assert.Matches(@"\n\s+4  onnxruntime-node\s+[\d,]+ ", output);
        Assert.Matches(@"throughput ratio vs onnxruntime-node: \d+\.\d\d \(batch 1\), \d+\.\d\d \(batch 4\)", output.Trim().Split('\n')[^1]);
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--seconds", "-1")]
    [InlineData("--frobnicate", "1")]
    public async Task Bench_refuses_bad_options_with_usage(string option, string value)
    {
        var (exitCode, _, error) = await RunAsync("bench", "--model", "x.onnx", option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: qualityhub bench", error);
    }

    [Fact]
    public async Task Bench_of_a_missing_model_fails_clearly()
    {
        var (exitCode, _, error) = await RunAsync("bench", "--model", "/nonexistent/model.onnx");

        Assert.Equal(1, exitCode);
        Assert.Contains("No model file at /nonexistent/model.onnx", error);
    }

    [Fact]
    public async Task A_missing_native_library_is_reported_and_the_process_keeps_its_footing()
    {
        var cli = CliExecutable;
        var info = new System.Diagnostics.ProcessStartInfo(cli, ["info", $"--Storage:DataDirectory={temp.Path}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["QUALITYHUB_ONNXRUNTIME_PATH"] = "/nonexistent/libonnxruntime.so.1";

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("onnxruntime:  unavailable: ONNX Runtime could not be loaded: ", output);
        Assert.Contains("QUALITYHUB_ONNXRUNTIME_PATH points at /nonexistent/libonnxruntime.so.1", output);
    }

    [Fact]
    public async Task Info_names_the_NuGet_runtime_and_the_provider_that_runs_with_ORTs_own_reason_when_CUDA_cannot()
    {
        var cli = CliExecutable;
        var info = new System.Diagnostics.ProcessStartInfo(cli, ["info", $"--Storage:DataDirectory={temp.Path}", "--Inference:Provider=cuda"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        // The GPU package's native library, beside the CLI.
        Assert.Matches(@"onnxruntime:  1\.32\.\d+ \(.*/runtimes/linux-x64/native/libonnxruntime\.so\)", output);
        Assert.Contains("CUDAExecutionProvider", output);
        var runsOn = output.Split('\n').Single(l => l.StartsWith("runs on:", StringComparison.Ordinal));
        if (!runsOn.StartsWith("runs on:      CUDA", StringComparison.Ordinal))
        {
            // No usable GPU here: the reason is the library ORT could not load, from its own log, not only "Failed to load shared library".
            Assert.Matches(@"runs on:      CPU \(asked: cuda\); CUDA unavailable: .*libonnxruntime_providers_cuda\.so.*: .*\.so[.\d]*: cannot open shared object file", runsOn);
        }
    }

    [Fact]
    public async Task Conformance_writes_one_line_per_case_and_ends_with_the_counts()
    {
        var report = Path.Combine(temp.Path, "report.tsv");

        var (exitCode, output, error) = await RunAsync("conformance", "--filter", "node/test_abs", "--report", report);

        Assert.True(exitCode == 0, error);
        var lines = await File.ReadAllLinesAsync(report);
        Assert.Equal("node\ttest_abs\tpass\t", lines[0]);
        Assert.Equal("1 passed, 0 failed, 0 skipped", lines[^1]);
        Assert.Equal("1 passed, 0 failed, 0 skipped", output.Trim());
    }

    [Fact]
    public async Task Conformance_without_test_data_says_where_to_get_it()
    {
        var (exitCode, _, error) = await RunAsync("conformance", "--data", Path.Combine(temp.Path, "nothing-here"));

        Assert.Equal(1, exitCode);
        Assert.Contains("libonnx-testdata", error);
    }

    [Fact]
    public async Task A_module_then_a_model_then_a_dataset_are_registered_from_the_terminal()
    {
        var data = $"--Storage:DataDirectory={temp.Path}";
        var tiny = RepositoryFiles.Path("tests", "QualityHub.Inference.Tests", "Models", "tiny-classifier.onnx");
        var jsonl = RepositoryFiles.Path("data", "demo", "card-text", "labels.jsonl");

        var module = await RunAsync("add-module", "--name", "pets", "--task", "classification", "--input", "4 features", "--output", "cat, dog or bird", data);
        var model = await RunAsync("import-model", "--module", "pets", "--version", "tiny-v1", "--file", tiny, data);
        var again = await RunAsync("import-model", "--module", "pets", "--version", "tiny-v1", "--file", tiny, data);
        var dataset = await RunAsync("import-dataset", "--name", "card-lines", "--licence", "CC0-1.0", "--task", "text", "--jsonl", jsonl, data);

        Assert.True(module.ExitCode == 0, module.Error);
        Assert.True(model.ExitCode == 0, model.Error);
        Assert.Contains("registered pets/tiny-v1", model.Output);
        Assert.Contains("15 parameters", model.Output);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already has a version 'tiny-v1'", again.Error);
        Assert.True(dataset.ExitCode == 0, dataset.Error);
        Assert.Contains("400 samples", dataset.Output);
        Assert.Contains("checking and storing images: 400/400", dataset.Error);
    }

    [Fact]
    public async Task A_dataset_with_bad_rows_lists_them_all_and_exits_1()
    {
        var data = $"--Storage:DataDirectory={temp.Path}";
        var csv = Path.Combine(temp.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "file,label\nmissing-1.png,cat\nmissing-2.png,dog\n");

        var (exitCode, _, error) = await RunAsync("import-dataset", "--name", "pets", "--licence", "MIT", "--folder", temp.Path, "--csv", csv, "--labels", "cat,dog", data);

        Assert.Equal(1, exitCode);
        Assert.Contains("'missing-1.png' does not exist", error);
        Assert.Contains("'missing-2.png' does not exist", error);
        Assert.Contains("2 problem(s); nothing was imported.", error);
    }

    [Fact]
    public async Task Evaluate_runs_a_model_on_a_dataset_with_progress_and_prints_accuracy_and_latency()
    {
        var data = await ImportLinearModelAndSubsetAsync();

        var (exitCode, output, error) = await RunAsync("evaluate", "--model", "fashion/linear", "--dataset", "subset", data);
        var unknown = await RunAsync("evaluate", "--model", "fashion/none", "--dataset", "subset", data);
        var badModel = await RunAsync("evaluate", "--model", "linear", "--dataset", "subset", data);

        Assert.True(exitCode == 0, error);
        Assert.Contains("2000/2000 (100 %)", error);
        Assert.Contains("accuracy 84.00 %", output); // torch: 1,680 of 2,000
        Assert.Contains("processing time (one input at a time, 500 inputs) p50", output);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no model version fashion/none", unknown.Error);
        Assert.Equal(2, badModel.ExitCode);
        Assert.Contains("MODULE/VERSION", badModel.Error);
    }

    [Fact]
    public async Task Bench_evaluation_prints_each_rounds_run_against_the_engine_alone_and_the_median_ratio()
    {
        var data = await ImportLinearModelAndSubsetAsync();

        var (exitCode, output, error) = await RunAsync("bench-evaluation", "--model", "fashion/linear", "--dataset", "subset", "--rounds", "2", "--seconds", "0.2", data);
        var cold = await RunAsync("bench-evaluation", "--model", "fashion/linear", "--dataset", "subset", "--rounds", "1", "--seconds", "0.2", "--images", "cold", data);
        var badImages = await RunAsync("bench-evaluation", "--model", "fashion/linear", "--dataset", "subset", "--images", "warm", data);
        var unknown = await RunAsync("bench-evaluation", "--model", "fashion/none", "--dataset", "subset", data);

        Assert.True(exitCode == 0, error);
        var rows = output.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+[12]\s+[\d,]+\s+\d+\s+2,000\s")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("decoded images kept between runs", output);
        Assert.True(cold.ExitCode == 0, cold.Error);
        Assert.Contains("images decoded anew for each run", cold.Output);
        Assert.Equal(2, badImages.ExitCode);
        Assert.Contains("--images is 'cached' or 'cold', not 'warm'.", badImages.Error);
        Assert.Matches(@"evaluation ÷ engine, end to end: median \d\.\d\d \(first round \d\.\d\d, min \d\.\d\d, max \d\.\d\d\)", output);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no model version fashion/none", unknown.Error);
    }

    private async Task<string> ImportLinearModelAndSubsetAsync()
    {
        var data = $"--Storage:DataDirectory={temp.Path}";
        var demo = RepositoryFiles.Path("data", "demo");
        var labels = "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot";
        await RunAsync("add-module", "--name", "fashion", "--task", "classification", "--input", "28x28 gray", "--output", "10 classes", data);
        await RunAsync("import-model", "--module", "fashion", "--version", "linear", "--file", Path.Combine(demo, "models", "fashion-linear-v1.onnx"),
            "--card", Path.Combine(demo, "models", "fashion-linear-v1.card.json"), data);
        var imported = await RunAsync("import-dataset", "--name", "subset", "--licence", "MIT", "--module", "fashion", "--labels", labels,
            "--idx-images", Path.Combine(demo, "fashion-mnist", "test-2000-images-idx3-ubyte.gz"), "--idx-labels", Path.Combine(demo, "fashion-mnist", "test-2000-labels-idx1-ubyte.gz"), data);
        Assert.True(imported.ExitCode == 0, imported.Error);
        return data;
    }

    [Fact]
    public async Task Import_fashion_mnist_says_where_the_files_come_from_when_they_are_missing()
    {
        var (exitCode, _, error) = await RunAsync("import-fashion-mnist", "--folder", Path.Combine(temp.Path, "nowhere"), $"--Storage:DataDirectory={temp.Path}");

        Assert.Equal(1, exitCode);
        Assert.Contains("dataset-fashion-mnist", error);
    }

    [Fact]
    public async Task Sweep_store_deletes_an_old_file_no_record_references_and_prints_the_report()
    {
        var data = $"--Storage:DataDirectory={temp.Path}";
        var jsonl = RepositoryFiles.Path("data", "demo", "card-text", "labels.jsonl");
        var imported = await RunAsync("import-dataset", "--name", "card-lines", "--licence", "CC0-1.0", "--task", "text", "--jsonl", jsonl, data);
        Assert.True(imported.ExitCode == 0, imported.Error);
        var orphan = Path.Combine(Directory.CreateDirectory(Path.Combine(temp.Path, "store", "00")).FullName, new string('0', 62));
        await File.WriteAllBytesAsync(orphan, new byte[2048]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddHours(-2));

        var dry = await RunAsync("sweep-store", "--dry-run", data);
        var leftByDryRun = File.Exists(orphan);
        var (exitCode, output, error) = await RunAsync("sweep-store", data);

        Assert.True(dry.ExitCode == 0, dry.Error);
        Assert.Contains("dry run: 401 blobs: 0 referenced, 400 too young (grace 60 min), would delete 1 (0 MiB)", dry.Output);
        Assert.True(leftByDryRun);
        Assert.True(exitCode == 0, error);
        Assert.Contains($"store: {Path.Combine(temp.Path, "store")}", output);
        Assert.Contains("401 blobs: 0 referenced, 400 too young (grace 60 min), deleted 1 (0 MiB)", output);
        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public async Task Sweep_store_in_another_process_keeps_what_an_import_under_way_here_stored_however_long_ago()
    {
        var data = $"--Storage:DataDirectory={temp.Path}";
        var jsonl = RepositoryFiles.Path("data", "demo", "card-text", "labels.jsonl");
        var imported = await RunAsync("import-dataset", "--name", "card-lines", "--licence", "CC0-1.0", "--task", "text", "--jsonl", jsonl, data);
        Assert.True(imported.ExitCode == 0, imported.Error);
        var store = Path.Combine(temp.Path, "store");
        // An import in this process that began five hours ago and still runs: its lease, locked; its heartbeat stalled.
        var now = DateTime.UtcNow;
        var lease = Path.Combine(store, "tmp", $"{now.AddHours(-5).Ticks:D19}-{Guid.NewGuid():N}.lease");
        await using var held = new FileStream(lease, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        File.SetLastWriteTimeUtc(lease, now.AddHours(-5));
        var storedByImport = Blob(store, '1', now.AddHours(-4));
        var orphan = Blob(store, '2', now.AddHours(-8)); // older than the import's start less the grace window

        var cli = CliExecutable;
        var info = new System.Diagnostics.ProcessStartInfo(cli, ["sweep-store", data]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        Assert.Contains("1 import(s) under way", output);
        Assert.Contains("deleted 1 (", output);
        Assert.True(File.Exists(storedByImport));
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(lease));
    }

    private static string Blob(string store, char digit, DateTime lastWrite)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(store, $"{digit}{digit}")).FullName, new string(digit, 62));
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, lastWrite);
        return path;
    }

    [Theory]
    [InlineData("--dry-run=yes", "Option '--dry-run' takes no value.")]
    [InlineData("--force", "Unknown option '--force'.")]
    [InlineData("now", "Unexpected argument 'now'.")]
    public async Task Sweep_store_refuses_a_bad_option_with_usage_and_exit_code_2(string argument, string message)
    {
        var (exitCode, _, error) = await RunAsync("sweep-store", argument, $"--Storage:DataDirectory={temp.Path}");

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error);
        Assert.Contains("usage: qualityhub sweep-store [--dry-run]", error);
    }

    public void Dispose() => temp.Dispose();
}
