using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker.Tests;

/// <summary>
/// Inference:Servers: a server of any make that speaks the open inference protocol, with the portal's models mapped to
/// its names. No third-party server runs here: our own worker, addressed as a plain server (its health and metadata
/// calls, not QualityHub's Describe; the model by the mapped name), stands in for one.
/// </summary>
public sealed class ProtocolServerTests : IAsyncLifetime
{
    private RunningWorker server = null!;

    // The portal's name for the model; its key is deliberately not what the server calls it.
    private static ModelSpec Tiny => new("portal-side-key", "not read", "tests/tiny-classifier");

    public Task InitializeAsync()
    {
        server = RunningWorker.OnTcp();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_mapped_model_runs_on_the_server_under_its_name_there_and_the_answer_names_the_server()
    {
        using var pool = Pool(new Dictionary<string, string> { ["tests/tiny-classifier"] = RunningWorker.TinyClassifier });

        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.Equal($"server {server.ClientAddress} (qualityhub-worker {ServerVersion()}) as {RunningWorker.TinyClassifier}", answer.RanOn);
        Assert.Equal(server.ClientAddress, pool.Views().Single().Address);
    }

    [Fact]
    public async Task Items_timed_on_a_server_of_another_make_go_one_request_each_and_are_timed_by_the_portal()
    {
        using var pool = Pool(new Dictionary<string, string> { ["tests/tiny-classifier"] = RunningWorker.TinyClassifier });
        var items = Enumerable.Range(0, 4).Select(i => new float[] { i, 1, 2, 3 }).ToList();

        var timed = await pool.InferEachAsync(Tiny, items, items.Select(_ => new long[] { 4 }).ToList());

        Assert.Equal(items.Select(x => new[] { x[0] + x[3] + 0.5f, x[1] + x[3], x[2] + x[3] - 0.5f }), timed.Select(t => t.Outputs[0].Data));
        Assert.All(timed, t => Assert.Equal([3L], t.Outputs[0].Shape)); // the request's batch of one taken off, as in process
        Assert.All(timed, t => Assert.StartsWith($"server {server.ClientAddress} ", t.RanOn));
        Assert.All(timed, t => Assert.True(t.Timing.ComputeMs > 0));
        // Only the protocol's own calls: one ModelInfer per item, never QualityHub's InferEach.
        var engine = (QualityHub.Inference.Engine.InferenceEngine)server.Services.GetService(typeof(QualityHub.Inference.Engine.InferenceEngine))!;
        var model = Assert.Single(engine.Snapshot().Models);
        Assert.Equal(4, model.Items);
        Assert.Equal(4, model.Batches);
    }

    [Fact]
    public async Task A_model_version_named_in_the_mapping_is_the_one_asked_for()
    {
        using var first = Pool(new Dictionary<string, string> { ["tests/tiny-classifier"] = $"{RunningWorker.TinyClassifier}:1" });
        using var seventh = Pool(new Dictionary<string, string> { ["tests/tiny-classifier"] = $"{RunningWorker.TinyClassifier}:7" });

        var answer = await first.InferAsync(Tiny, [1, 2, 3, 4], [4]);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => seventh.InferAsync(Tiny, [1, 2, 3, 4], [4]));

        Assert.EndsWith($"as {RunningWorker.TinyClassifier}:1", answer.RanOn);
        Assert.Contains("has one version here, 1, not '7'", refused.Message);
    }

    [Fact]
    public async Task A_model_the_server_does_not_map_goes_nowhere_and_the_reason_says_so()
    {
        using var pool = Pool(new Dictionary<string, string> { ["tests/another-model"] = RunningWorker.TinyClassifier });

        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => pool.InferAsync(Tiny, [1, 2, 3, 4], [4]));

        Assert.Contains($"{server.ClientAddress} does not serve it", refused.Message);
        Assert.Empty(server.PortalRequests); // the server was not even asked to fetch anything
    }

    [Fact]
    public async Task The_portal_key_is_not_sent_to_a_server_without_one_of_its_own()
    {
        // Our worker refuses callers without its key: a server entry with no key gets no key from the portal.
        using var pool = Pool(new Dictionary<string, string> { ["tests/tiny-classifier"] = RunningWorker.TinyClassifier }, key: null);

        var refused = await Assert.ThrowsAsync<ExecutorUnavailableException>(() => pool.InferAsync(Tiny, [1, 2, 3, 4], [4]));

        Assert.Contains("refused the portal's key", refused.Message);
        Assert.False(pool.States().Single().Up);
    }

    [Fact]
    public void A_server_without_models_or_with_a_bad_address_is_a_named_problem()
    {
        var options = new PortalWorkerOptions
        {
            Servers = [new ProtocolServer { Address = "triton:8001", Models = new() { ["a/b"] = "b" } }, new ProtocolServer { Address = "http://triton:8001" }],
        };

        var problems = options.Problems();

        Assert.Contains("Inference:Servers: 'triton:8001' is not a server address (http://host:port, https://host:port or unix:/path).", problems);
        Assert.Contains(problems, p => p.StartsWith("Inference:Servers: 'http://triton:8001' needs Models", StringComparison.Ordinal));
    }

    private static string ServerVersion() =>
        typeof(InferenceProtocolService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private WorkerPool Pool(Dictionary<string, string> models, string? key = RunningWorker.Key) => new(
        Options.Create(new PortalWorkerOptions
        {
            Servers = [new ProtocolServer { Address = server.ClientAddress, Models = models, Key = key }],
            WorkerTimeoutSeconds = 10,
            WorkerRetrySeconds = 60,
        }),
        TimeProvider.System,
        NullLogger<WorkerPool>.Instance);
}
