using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;

namespace QualityHub.Inference.Tests;

public sealed class InferenceEngineTests : IAsyncLifetime
{
    private static readonly string ModelsFolder = Path.Combine(AppContext.BaseDirectory, "Models");
    private static readonly ModelSpec TinyClassifier = new("tiny-classifier", Path.Combine(ModelsFolder, "tiny-classifier.onnx"), "tiny-classifier");
    private readonly List<InferenceEngine> engines = [];

    private InferenceEngine NewEngine(Action<InferenceOptions>? configure = null)
    {
        var options = new InferenceOptions { Provider = ProviderPreference.Cpu, IntraOpThreads = 1 };
        configure?.Invoke(options);
        var engine = new InferenceEngine(Options.Create(options), NullLogger<InferenceEngine>.Instance);
        engines.Add(engine);
        return engine;
    }

    // logits = [x0+x3+0.5, x1+x3, x2+x3-0.5] (tools/make_bench_models.py)
    private static float[] Expected(float[] x) => [x[0] + x[3] + 0.5f, x[1] + x[3], x[2] + x[3] - 0.5f];

    [Fact]
    public async Task Concurrent_requests_are_micro_batched_and_each_gets_its_own_answer()
    {
        var engine = NewEngine(o =>
        {
            o.MaxBatchSize = 8;
            o.MaxBatchDelayMs = 50;
        });
        var inputs = Enumerable.Range(0, 64).Select(i => new float[] { i, i * 2, -i, i % 5 }).ToList();

        var results = await Task.WhenAll(inputs.Select(x => engine.InferAsync(TinyClassifier, x, [4])));

        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(Expected(inputs[i]), results[i].Outputs[0].Data);
            Assert.Equal([3L], results[i].Outputs[0].Shape);
            Assert.Equal(ExecutionProvider.Cpu, results[i].Provider);
        }

        Assert.Contains(results, r => r.Timing.BatchSize > 1);
        Assert.All(results, r => Assert.InRange(r.Timing.BatchSize, 1, 8));
        var model = Assert.Single(engine.Snapshot().Models);
        Assert.Equal(64, model.Items);
        Assert.True(model.Batches < 64, $"{model.Batches} batches for 64 concurrent items: nothing was batched.");
    }

    [Fact]
    public async Task A_batched_answer_equals_the_answer_of_a_lone_run()
    {
        var engine = NewEngine(o => o.MaxBatchDelayMs = 30);
        var x = new float[] { 0.25f, -1.5f, 3f, 0.125f };

        var alone = await engine.InferAsync(TinyClassifier, x, [4]);
        var together = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => engine.InferAsync(TinyClassifier, (float[])x.Clone(), [4])));

        Assert.Equal(1, alone.Timing.BatchSize);
        Assert.All(together, r => Assert.Equal(alone.Outputs[0].Data, r.Outputs[0].Data));
    }

    [Fact]
    public async Task A_batch_formed_by_the_caller_runs_as_one_and_equals_lone_runs_item_by_item()
    {
        var engine = NewEngine();
        var inputs = Enumerable.Range(0, 20).Select(i => new float[] { i, -i / 2f, i * 0.25f, 1 - i }).ToList();

        var batch = await engine.InferBatchAsync(TinyClassifier, inputs.SelectMany(x => x).ToArray(), inputs.Count, [4], preprocessMs: 0.5);
        var alone = await Task.WhenAll(inputs.Select(x => engine.InferAsync(TinyClassifier, x, [4])));

        Assert.Equal([20L, 3L], batch.Outputs[0].Shape);
        Assert.Equal(20, batch.Timing.BatchSize);
        Assert.Equal(0.5, batch.Timing.PreprocessMs);
        Assert.Equal(alone.SelectMany(r => r.Outputs[0].Data), batch.Outputs[0].Data);
        var model = Assert.Single(engine.Snapshot().Models);
        Assert.Equal(40, model.Items);
    }

    [Fact]
    public async Task A_batch_of_one_keeps_its_batch_dimension_and_a_batch_of_the_wrong_size_is_refused()
    {
        var engine = NewEngine();

        var one = await engine.InferBatchAsync(TinyClassifier, [1, 2, 3, 4], 1, [4]);
        var tooShort = await Assert.ThrowsAsync<ArgumentException>(() => engine.InferBatchAsync(TinyClassifier, [1, 2, 3, 4, 5], 2, [4]));
        var wrongShape = await Assert.ThrowsAsync<ArgumentException>(() => engine.InferBatchAsync(TinyClassifier, new float[10], 2, [5]));

        Assert.Equal([1L, 3L], one.Outputs[0].Shape);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, one.Outputs[0].Data);
        Assert.Contains("has 8 values, not 5", tooShort.Message);
        Assert.Contains("takes items of shape [4]", wrongShape.Message);
    }

    [Fact]
    public async Task Timing_is_split_into_queue_pre_compute_and_post()
    {
        var engine = NewEngine();

        var result = await engine.InferAsync(TinyClassifier, [1, 2, 3, 4], [4], preprocessMs: 1.25);

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, result.Outputs[0].Data);
        Assert.Equal(1.25, result.Timing.PreprocessMs);
        Assert.True(result.Timing.QueueMs >= 0 && result.Timing.ComputeMs > 0 && result.Timing.PostprocessMs >= 0);
        Assert.Equal(result.Timing.QueueMs + 1.25 + result.Timing.ComputeMs + result.Timing.PostprocessMs, result.Timing.TotalMs, 9);
    }

    [Fact]
    public async Task Items_run_each_alone_are_never_stacked_even_with_others_waiting_and_answer_as_lone_runs()
    {
        // A long batching delay: queued items would be stacked if the engine were allowed to.
        var engine = NewEngine(o =>
        {
            o.MaxBatchSize = 8;
            o.MaxBatchDelayMs = 50;
        });
        var inputs = Enumerable.Range(0, 40).Select(i => new float[] { i, 1 - i, i * 0.5f, i % 3 }).ToList();

        var each = await engine.InferEachAsync(TinyClassifier, inputs, inputs.Select(_ => new long[] { 4 }).ToList());

        Assert.Equal(inputs.Count, each.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(Expected(inputs[i]), each[i].Outputs[0].Data);
            Assert.Equal([3L], each[i].Outputs[0].Shape);
            Assert.Equal(1, each[i].Timing.BatchSize);
            Assert.True(each[i].Timing.ComputeMs > 0, $"item {i} has no compute time");
        }

        var model = Assert.Single(engine.Snapshot().Models);
        Assert.Equal(40, model.Items);
        Assert.Equal(40, model.Batches);
    }

    [Fact]
    public async Task Items_run_each_alone_with_one_wrong_item_are_refused_and_none_is_run()
    {
        var engine = NewEngine();
        await engine.LoadAsync(TinyClassifier);

        var wrongShape = await Assert.ThrowsAsync<ArgumentException>(() =>
            engine.InferEachAsync(TinyClassifier, [[1, 2, 3, 4], [1, 2, 3], [5, 6, 7, 8]], [[4], [3], [4]]));
        var missingShape = await Assert.ThrowsAsync<ArgumentException>(() => engine.InferEachAsync(TinyClassifier, [[1, 2, 3, 4]], []));
        var after = await engine.InferEachAsync(TinyClassifier, [[1, 2, 3, 4]], [[4]]);

        Assert.Contains("takes items of shape [4], not [3]", wrongShape.Message);
        Assert.Contains("1 items come with 0 shapes", missingShape.Message);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, after[0].Outputs[0].Data);
        // Every item is checked before any runs: the first, right as it was, did not run for nothing.
        Assert.Equal(1, Assert.Single(engine.Snapshot().Models).Items);
    }

    [Fact]
    public async Task A_loaded_model_reports_symbolic_dimensions_and_metadata()
    {
        var engine = NewEngine();

        var model = await engine.LoadAsync(TinyClassifier);

        var input = Assert.Single(model.Inputs);
        Assert.Equal("pixels", input.Name);
        Assert.Equal([-1L, 4], input.Shape);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal(BatchMode.Dynamic, model.BatchMode);
        Assert.Equal("cat,dog,bird", model.Metadata.Custom["labels"]);
        Assert.Equal("qualityhub-tools", model.Metadata.ProducerName);
        Assert.Equal(3, model.Metadata.Version);
    }

    [Fact]
    public async Task Loading_past_the_memory_budget_evicts_the_least_recently_used_session()
    {
        using var folder = new TempCopies(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "bench", "cnn-fashion-sized.onnx"), 2);
        var engine = NewEngine(o => o.MemoryBudgetMb = 1); // one 0.8 MB model fits, two do not
        var first = new ModelSpec("cnn-a", folder.Paths[0], "cnn-a");
        var second = new ModelSpec("cnn-b", folder.Paths[1], "cnn-b");
        var image = new float[28 * 28];

        await engine.InferAsync(first, image, [1, 28, 28]);
        await engine.InferAsync(second, image, [1, 28, 28]);

        var snapshot = engine.Snapshot();
        Assert.Equal(1, snapshot.Evictions);
        Assert.Equal("cnn-b", Assert.Single(snapshot.Models).Key);
        // The evicted model loads again on demand.
        Assert.Equal(10, (await engine.InferAsync(first, image, [1, 28, 28])).Outputs[0].Data.Length);
    }

    [Fact]
    public async Task A_cancelled_request_is_not_run_and_the_engine_keeps_serving()
    {
        var engine = NewEngine();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.InferAsync(TinyClassifier, [1, 2, 3, 4], [4], cancellationToken: cancelled.Token));

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, (await engine.InferAsync(TinyClassifier, [1, 2, 3, 4], [4])).Outputs[0].Data);
    }

    [Fact]
    public async Task A_wrong_item_shape_is_refused_with_the_expected_shape()
    {
        var engine = NewEngine();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => engine.InferAsync(TinyClassifier, [1, 2, 3], [3]));
        var lengthError = await Assert.ThrowsAsync<ArgumentException>(() => engine.InferAsync(TinyClassifier, [1, 2, 3], [4]));

        Assert.Contains("takes items of shape [4], not [3]", error.Message);
        Assert.Contains("has 4 values, not 3", lengthError.Message);
    }

    [Fact]
    public async Task A_broken_model_fails_with_its_name_and_other_models_keep_serving()
    {
        var broken = Path.GetTempFileName();
        await File.WriteAllTextAsync(broken, "not a model");
        try
        {
            var engine = NewEngine();

            var error = await Assert.ThrowsAsync<OnnxRuntimeException>(() => engine.InferAsync(new ModelSpec("broken", broken, "broken-v1"), [1], [1]));

            Assert.Contains("broken-v1", error.Message);
            Assert.Equal(new[] { 5.5f, 6f, 6.5f }, (await engine.InferAsync(TinyClassifier, [1, 2, 3, 4], [4])).Outputs[0].Data);
            Assert.DoesNotContain(engine.Snapshot().Models, m => m.Key == "broken");
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public async Task A_model_with_inputs_the_engine_cannot_feed_is_refused_naming_it()
    {
        var engine = NewEngine();
        var strings = new ModelSpec("strnorm", OnnxSessionTests.NodeModel("test_strnormalizer_nostopwords_nochangecase"), "string-normalizer");

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => engine.InferAsync(strings, [1], [1]));

        Assert.Contains("string-normalizer", error.Message);
        Assert.Contains("one float32 input", error.Message);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, (await engine.InferAsync(TinyClassifier, [1, 2, 3, 4], [4])).Outputs[0].Data);
    }

    [Fact]
    public async Task Unloading_a_model_finishes_what_was_queued()
    {
        var engine = NewEngine(o => o.MaxBatchDelayMs = 20);
        var pending = Enumerable.Range(0, 10).Select(i => engine.InferAsync(TinyClassifier, [i, 0, 0, 0], [4])).ToList();

        await engine.UnloadAsync(TinyClassifier.Key);

        var results = await Task.WhenAll(pending);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i + 0.5f), results.Select(r => r.Outputs[0].Data[0]));
    }

    [Fact]
    public async Task A_sessions_memory_is_measured_once_per_model_and_input_shape()
    {
        var engine = NewEngine();

        var first = await engine.MeasureSessionMemoryAsync(TinyClassifier, [1, 2, 3, 4], [4]);
        var again = await engine.MeasureSessionMemoryAsync(TinyClassifier, [4, 3, 2, 1], [4]);
        var fewerLoads = await engine.MeasureSessionMemoryAsync(TinyClassifier, [1, 2, 3, 4], [4], loads: 1);
        var otherEngine = await NewEngine().MeasureSessionMemoryAsync(TinyClassifier, [1, 2, 3, 4], [4]);

        Assert.Equal(3, first.Loads);
        Assert.InRange(first.Bytes, first.LowBytes, first.HighBytes);
        Assert.Equal(ExecutionProvider.Cpu, first.Provider);
        Assert.Same(first, again);
        Assert.Equal(1, fewerLoads.Loads);
        Assert.NotSame(first, otherEngine);
        Assert.Empty(engine.Snapshot().Models);
    }

    [Fact]
    public async Task Unloading_a_model_forgets_its_measured_memory_and_no_other()
    {
        var engine = NewEngine();
        var other = TinyClassifier with { Key = "tiny-classifier-copy" };
        var first = await engine.MeasureSessionMemoryAsync(TinyClassifier, [1, 2, 3, 4], [4], loads: 1);
        var otherFirst = await engine.MeasureSessionMemoryAsync(other, [1, 2, 3, 4], [4], loads: 1);

        await engine.UnloadAsync(TinyClassifier.Key);

        Assert.NotSame(first, await engine.MeasureSessionMemoryAsync(TinyClassifier, [1, 2, 3, 4], [4], loads: 1));
        Assert.Same(otherFirst, await engine.MeasureSessionMemoryAsync(other, [1, 2, 3, 4], [4], loads: 1));
    }

    [Fact]
    public async Task Past_the_limit_of_kept_measurements_the_oldest_is_measured_again_and_the_newest_is_kept()
    {
        var engine = NewEngine();
        var measured = new List<SessionMemory>();
        for (var i = 0; i <= InferenceEngine.MeasuredMemoryLimit; i++)
        {
            measured.Add(await engine.MeasureSessionMemoryAsync(TinyClassifier with { Key = $"tiny-{i}" }, [1, 2, 3, 4], [4], loads: 1));
        }

        Assert.Same(measured[^1], await engine.MeasureSessionMemoryAsync(TinyClassifier with { Key = $"tiny-{InferenceEngine.MeasuredMemoryLimit}" }, [1, 2, 3, 4], [4], loads: 1));
        Assert.Same(measured[1], await engine.MeasureSessionMemoryAsync(TinyClassifier with { Key = "tiny-1" }, [1, 2, 3, 4], [4], loads: 1));
        Assert.NotSame(measured[0], await engine.MeasureSessionMemoryAsync(TinyClassifier with { Key = "tiny-0" }, [1, 2, 3, 4], [4], loads: 1));
    }

    [Fact]
    public void Impossible_settings_are_named()
    {
        var options = new InferenceOptions { MaxBatchSize = 0, MemoryBudgetMb = -1 };

        var problems = options.Problems();

        Assert.Contains(problems, p => p.StartsWith("Inference:MaxBatchSize", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Inference:MemoryBudgetMb", StringComparison.Ordinal));
    }

    [Fact]
    public void The_provider_probe_says_what_runs_here()
    {
        var engine = NewEngine(o => o.Provider = ProviderPreference.Auto);

        var probe = engine.Provider;

        Assert.NotNull(probe.Provider);
        Assert.Contains("CPUExecutionProvider", probe.CompiledProviders);
        if (probe.Provider == ExecutionProvider.Cpu)
        {
            Assert.StartsWith("CUDA unavailable: ", probe.Reason);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var engine in engines)
        {
            await engine.DisposeAsync();
        }
    }

    private sealed class TempCopies : IDisposable
    {
        private readonly string folder = Directory.CreateTempSubdirectory("qualityhub-engine-").FullName;

        public TempCopies(string source, int count) =>
            Paths = Enumerable.Range(0, count).Select(i =>
            {
                var path = Path.Combine(folder, $"copy-{i}.onnx");
                File.Copy(source, path);
                return path;
            }).ToList();

        public IReadOnlyList<string> Paths { get; }

        public void Dispose() => Directory.Delete(folder, recursive: true);
    }
}
