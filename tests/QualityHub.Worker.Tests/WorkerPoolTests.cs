using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Worker.Tests;

/// <summary>The portal's pool of workers as the task runner's executor: same answers as in process, routing, a worker lost.</summary>
public sealed class WorkerPoolTests : IAsyncLifetime
{
    private RunningWorker first = null!;
    private RunningWorker second = null!;

    public Task InitializeAsync()
    {
        first = RunningWorker.OnUnixSocket();
        second = RunningWorker.OnTcp();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    private WorkerPool Pool(params RunningWorker[] workers) => new(
        Options.Create(new PortalWorkerOptions
        {
            Workers = workers.Select(w => w.ClientAddress).ToList(),
            WorkerKey = RunningWorker.Key,
            WorkerTimeoutSeconds = 30,
            WorkerRetrySeconds = 60,
        }),
        TimeProvider.System,
        NullLogger<WorkerPool>.Instance);

    private static ModelSpec Tiny => new(RunningWorker.TinyClassifier, "not read: workers fetch by hash", "tiny-classifier");

    [Fact]
    public async Task The_demo_cnn_through_two_workers_answers_every_subset_image_as_torch_did()
    {
        var models = RepositoryFiles.Path("data", "demo", "models");
        var bytes = await File.ReadAllBytesAsync(Path.Combine(models, "fashion-cnn-v1.onnx"));
        var name = RunningWorker.Sha256Of(bytes);
        first.PortalModels[name] = bytes;
        second.PortalModels[name] = bytes;
        var card = ModelCard.Load(Path.Combine(models, "fashion-cnn-v1.card.json"));
        using var reference = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(models, "fashion-torch-reference.json")));
        var expectedTop1 = reference.RootElement.GetProperty("models").GetProperty("fashion-cnn-v1").GetProperty("subsetTop1").GetString()!;
        var images = IdxImages.Load(RepositoryFiles.Path("data", "demo", "fashion-mnist", "test-2000-images-idx3-ubyte.gz"));
        using var pool = Pool(first, second);
        var runner = new ModelTaskRunner(pool);
        var spec = new ModelSpec(name, "not read", "fashion-cnn-v1");

        // Batches of 32 as an evaluation sends them, and the first 100 one at a time as Compare and the timing probe do.
        var batched = new List<TaskResult>();
        for (var start = 0; start < images.Count; start += 32)
        {
            batched.AddRange(await runner.RunBatchAsync(spec, card, Enumerable.Range(start, Math.Min(32, images.Count - start)).Select(images.GetImage).ToList()));
        }

        var alone = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => runner.RunAsync(spec, card, images.GetImage(i))));

        Assert.Equal(expectedTop1, string.Concat(batched.Select(r => r.TopK[0].Index.ToString())));
        Assert.Equal(expectedTop1[..100], string.Concat(alone.Select(r => r.TopK[0].Index.ToString())));
        Assert.Equal(32, batched[0].Timing.BatchSize);
        var holders = pool.States().Where(s => s.Models.Contains(name)).ToList();
        Assert.NotEmpty(holders);
        Assert.All(pool.States(), s => Assert.True(s.Up));
    }

    [Fact]
    public async Task Requests_go_where_the_model_is_loaded_and_a_lost_worker_is_marked_down_while_the_other_answers()
    {
        using var pool = Pool(first, second);
        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);
        var holder = pool.States().Single(s => s.Models.Contains(Tiny.Key));

        for (var i = 0; i < 5; i++)
        {
            await pool.InferAsync(Tiny, [i, 0, 0, 0], [4]);
        }

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.Equal([3L], answer.Outputs[0].Shape); // a lone item without its batch dimension, as in process
        Assert.Equal(holder.Address, pool.States().Single(s => s.Models.Contains(Tiny.Key)).Address);
        var (lost, other) = holder.Address == first.ClientAddress ? (first, second) : (second, first);
        Assert.Empty(lost == first ? second.PortalRequests : first.PortalRequests);

        await lost.DisposeAsync();
        var after = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, after.Outputs[0].Data);
        var states = pool.States().ToDictionary(s => s.Address);
        Assert.False(states[lost.ClientAddress].Up);
        Assert.Contains("not answering", states[lost.ClientAddress].DownReason);
        Assert.True(states[other.ClientAddress].Up);
        Assert.Contains(Tiny.Key, states[other.ClientAddress].Models);
    }

    [Fact]
    public async Task When_no_worker_answers_the_error_names_each_and_is_not_a_wrong_answer()
    {
        using var pool = Pool(first, second);
        await first.DisposeAsync();
        await second.DisposeAsync();

        var error = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => pool.InferAsync(Tiny, [1, 2, 3, 4], [4]));

        Assert.Contains(first.ClientAddress, error.Message);
        Assert.Contains(second.ClientAddress, error.Message);
        Assert.Contains("tiny-classifier", error.Message);
        Assert.All(pool.States(), s => Assert.False(s.Up));
    }

    [Fact]
    public async Task A_wrong_request_is_the_requests_fault_not_the_workers_and_is_not_retried()
    {
        using var pool = Pool(first, second);

        var wrong = await Assert.ThrowsAsync<ArgumentException>(() => pool.InferAsync(Tiny, [1, 2, 3, 4, 5], [5]));
        var batchOfWrongSize = await Assert.ThrowsAsync<ArgumentException>(() => pool.InferBatchAsync(Tiny, [1, 2, 3, 4], 2, [4]));

        Assert.Contains("[-1, 4]", wrong.Message);
        Assert.Contains("32 bytes of FP32, not 16", batchOfWrongSize.Message);
        Assert.All(pool.States(), s => Assert.True(s.Up));
    }

    [Fact]
    public async Task Items_to_time_go_to_one_worker_in_one_call_and_the_answers_name_it()
    {
        using var pool = Pool(first);
        var items = Enumerable.Range(0, 5).Select(i => new float[] { i, 2, -i, 0.25f }).ToList();

        var timed = await pool.InferEachAsync(Tiny, items, items.Select(_ => new long[] { 4 }).ToList());
        var wrong = await Assert.ThrowsAsync<ArgumentException>(() => pool.InferEachAsync(Tiny, [[1, 2, 3, 4], [1, 2, 3]], [[4], [3]]));

        Assert.Equal(items.Select(x => new[] { x[0] + x[3] + 0.5f, x[1] + x[3], x[2] + x[3] - 0.5f }), timed.Select(t => t.Outputs[0].Data));
        Assert.All(timed, t => Assert.StartsWith($"worker {first.ClientAddress} (", t.RanOn));
        Assert.All(timed, t => Assert.True(t.Timing.ComputeMs > 0));
        Assert.Contains("takes items of shape [4], not [3]", wrong.Message);
        Assert.All(pool.States(), s => Assert.True(s.Up)); // a wrong request is not the worker's fault
    }

    [Fact]
    public async Task A_sessions_memory_is_measured_on_the_worker()
    {
        using var pool = Pool(first);

        var memory = await pool.MeasureSessionMemoryAsync(Tiny, [1, 2, 3, 4], [4], loads: 2);

        Assert.Equal(2, memory.Loads);
        Assert.InRange(memory.Bytes, memory.LowBytes, memory.HighBytes);
        Assert.Equal(QualityHub.Inference.ExecutionProvider.Cpu, memory.Provider);
    }

    [Fact]
    public void Workers_without_a_key_or_with_an_address_that_is_none_stop_the_pool_naming_the_setting()
    {
        var noKey = Assert.Throws<InvalidOperationException>(() => new WorkerPool(
            Options.Create(new PortalWorkerOptions { Workers = ["http://127.0.0.1:7070"] }), TimeProvider.System, NullLogger<WorkerPool>.Instance));
        var badAddress = Assert.Throws<InvalidOperationException>(() => new WorkerPool(
            Options.Create(new PortalWorkerOptions { Workers = ["gpu-host:7070"], WorkerKey = RunningWorker.Key }), TimeProvider.System, NullLogger<WorkerPool>.Instance));

        var shortKey = Assert.Throws<InvalidOperationException>(() => new WorkerPool(
            Options.Create(new PortalWorkerOptions { Workers = ["http://127.0.0.1:7070"], WorkerKey = "short" }), TimeProvider.System, NullLogger<WorkerPool>.Instance));

        Assert.Contains("needs Inference:WorkerKey", noKey.Message);
        Assert.Contains("at least 16 characters", shortKey.Message);
        Assert.Contains("'gpu-host:7070' is not a worker address", badAddress.Message);
    }

    [Theory]
    [InlineData("unix:/tmp/w.sock", "", "needs Inference:WorkerKey")]
    [InlineData("", "short-key", "must be at least 16 characters")]
    [InlineData("gpu-host:7070", RunningWorker.Key, "'gpu-host:7070' is not a worker address")]
    public void A_portal_whose_worker_settings_cannot_work_refuses_them_by_name(string address, string key, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Inference:WorkerKey"] = key };
        if (address.Length > 0)
        {
            settings["Inference:Workers:0"] = address;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddInferenceWorkers(configuration).BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<PortalWorkerOptions>>();

        var refused = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.Contains(expected, refused.Message);
    }
}
