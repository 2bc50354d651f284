using Grpc.Core;

namespace QualityHub.Worker.Tests;

/// <summary>How a worker is reached and what it refuses as a whole: TCP and Unix sockets, size limits, bad settings, wrong peers.</summary>
public sealed class WorkerHostingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_worker_on_a_loopback_port_serves_as_one_on_a_unix_socket_does()
    {
        await using var worker = RunningWorker.OnTcp();
        using var client = worker.Client();

        var result = await client.InferAsync(RunningWorker.TinyClassifier, "pixels", [1, 2, 3, 4], [1, 4], Timeout);

        Assert.StartsWith("http://127.0.0.1:", client.Address);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, result.Outputs[0].Data);
    }

    [Fact]
    public async Task A_request_over_the_size_limit_is_refused_unread_and_the_worker_keeps_serving()
    {
        await using var worker = RunningWorker.OnUnixSocket(new Dictionary<string, string?> { ["Worker:MaxRequestMb"] = "1" });
        using var client = worker.Client();
        var huge = new float[300_000 * 4]; // 4.8 MB

        var refused = await Assert.ThrowsAsync<WorkerException>(() => client.InferAsync(RunningWorker.TinyClassifier, "pixels", huge, [300_000, 4], Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, refused.Status);
        Assert.False(refused.WorkerUnavailable);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, (await client.InferAsync(RunningWorker.TinyClassifier, "pixels", [1, 2, 3, 4], [1, 4], Timeout)).Outputs[0].Data);
    }

    [Theory]
    [InlineData("Worker:Key", "short", "Worker:Key must be at least 16 characters")]
    [InlineData("Worker:PortalUrl", "ftp://portal", "Worker:PortalUrl must be an http or https address")]
    [InlineData("Worker:MaxRequestMb", "0", "Worker:MaxRequestMb must be between 1 and 2047")]
    public void Impossible_settings_stop_the_start_naming_the_setting(string name, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Worker:Key"] = RunningWorker.Key, [name] = value };

        var refused = Assert.Throws<InvalidOperationException>(() => WorkerHost.Build(WorkerEndpoint.OnTcp(System.Net.IPAddress.Loopback, LoopbackPorts.Free()), settings));

        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public async Task An_address_where_nothing_listens_is_unavailable_and_one_that_is_no_worker_says_so()
    {
        await using var worker = RunningWorker.OnUnixSocket();
        using var nothing = new WorkerClient($"http://127.0.0.1:{LoopbackPorts.Free()}", RunningWorker.Key);
        using var notAWorker = new WorkerClient(worker.PortalUrl, RunningWorker.Key);

        var unavailable = await Assert.ThrowsAsync<WorkerException>(() => nothing.DescribeAsync(Timeout));
        var wrongPeer = await Assert.ThrowsAsync<WorkerException>(() => notAWorker.DescribeAsync(TimeSpan.FromSeconds(5)));

        Assert.True(unavailable.WorkerUnavailable);
        Assert.Contains("is not answering", unavailable.Message);
        Assert.Contains(worker.PortalUrl, wrongPeer.Message);
        Assert.Throws<ArgumentException>(() => new WorkerClient("ftp://somewhere", RunningWorker.Key));
    }

    [Fact]
    public async Task Without_a_portal_a_worker_serves_what_its_cache_holds_and_names_what_it_cannot_fetch()
    {
        using var cache = new TempFolder();
        File.Copy(RunningWorker.TinyClassifierPath, cache.File(RunningWorker.TinyClassifier + ".onnx"));
        var socket = cache.File("w.sock");
        await using var app = WorkerHost.Build(WorkerEndpoint.OnUnixSocket(socket), new Dictionary<string, string?>
        {
            ["Worker:Key"] = RunningWorker.Key,
            ["Worker:CacheDirectory"] = cache.Path,
            ["Inference:Provider"] = "Cpu",
        });
        await app.StartAsync();
        using var client = new WorkerClient($"unix:{socket}", RunningWorker.Key);

        var cached = await client.InferAsync(RunningWorker.TinyClassifier, "pixels", [1, 2, 3, 4], [1, 4], Timeout);
        var missing = await Assert.ThrowsAsync<WorkerException>(() => client.InferAsync(RunningWorker.Sha256Of([9]), "pixels", [1, 2, 3, 4], [1, 4], Timeout));

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, cached.Outputs[0].Data);
        Assert.Equal(StatusCode.NotFound, missing.Status);
        Assert.Contains("no portal is configured", missing.Message);
        await app.StopAsync();
        Assert.False(File.Exists(socket));
    }
}
