using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker.Tests;

/// <summary>
/// Worker addresses that lead to no worker of this portal, seen from the portal's side: a gRPC server speaking another
/// version of the worker protocol, an HTTP server that is no worker, nothing at all. Each is refused naming the address
/// and the reason, and the pool marks it down and sends its work elsewhere.
/// </summary>
public sealed class WorkerAddressTests : IAsyncLifetime
{
    private const string OtherProtocol = "qualityhub-worker/2";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly List<WebApplication> servers = [];
    private readonly ConcurrentQueue<string> otherVersionCalls = new();
    private RunningWorker worker = null!;

    public Task InitializeAsync()
    {
        worker = RunningWorker.OnUnixSocket();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        await worker.DisposeAsync();
    }

    private static ModelSpec Tiny => new(RunningWorker.TinyClassifier, "not read: workers fetch by hash", "tiny-classifier");

    private static WorkerPool Pool(params string[] addresses) => new(
        Options.Create(new PortalWorkerOptions
        {
            Workers = [.. addresses],
            WorkerKey = RunningWorker.Key,
            WorkerTimeoutSeconds = 10,
            WorkerRetrySeconds = 60,
        }),
        TimeProvider.System,
        NullLogger<WorkerPool>.Instance);

    // A server on a free loopback port; its address as a worker address.
    private async Task<string> StartAsync(HttpProtocols protocols, Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, o => o.Protocols = protocols));
        services(builder.Services);
        var app = builder.Build();
        map(app);
        servers.Add(app);
        await app.StartAsync();
        return $"http://127.0.0.1:{port}";
    }

    // A gRPC server that describes itself as speaking another version of the worker protocol, and would run models if asked.
    private Task<string> StartOtherVersionAsync() => StartAsync(
        HttpProtocols.Http2,
        services =>
        {
            services.AddGrpc();
            services.AddSingleton(otherVersionCalls);
        },
        app =>
        {
            app.MapGrpcService<OtherVersionInfo>();
            app.MapGrpcService<OtherVersionInference>();
        });

    // A plain web application: 200 at its root, 404 anywhere else (where a worker's calls go).
    private Task<string> StartWebSiteAsync(HttpProtocols protocols) => StartAsync(
        protocols,
        _ => { },
        app => app.MapGet("/", () => Results.Text("Hello from a web site")));

    [Fact]
    public async Task A_worker_speaking_another_protocol_version_is_refused_naming_both_versions()
    {
        var address = await StartOtherVersionAsync();
        using var client = new WorkerClient(address, RunningWorker.Key);

        var refused = await Assert.ThrowsAsync<WorkerException>(() => client.DescribeAsync(Timeout));

        Assert.Equal(StatusCode.FailedPrecondition, refused.Status);
        Assert.Equal($"The worker at {address} speaks '{OtherProtocol}', not {WorkerOptions.Protocol}.", refused.Message);
    }

    [Fact]
    public async Task The_pool_marks_a_worker_of_another_protocol_version_down_and_sends_its_work_to_one_that_speaks_ours()
    {
        var other = await StartOtherVersionAsync();
        using var pool = Pool(other, worker.ClientAddress); // the other version first: with nothing loaded anywhere, it would be chosen first

        var described = (await pool.DescribeAllAsync()).ToDictionary(d => d.Address);
        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        Assert.Null(described[other].Described);
        Assert.Contains(OtherProtocol, described[other].Error);
        Assert.NotNull(described[worker.ClientAddress].Described);
        var states = pool.States().ToDictionary(s => s.Address);
        Assert.False(states[other].Up);
        Assert.Contains($"speaks '{OtherProtocol}', not {WorkerOptions.Protocol}", states[other].DownReason);
        Assert.True(states[worker.ClientAddress].Up);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.StartsWith($"worker {worker.ClientAddress}", answer.RanOn);
        Assert.Equal(["Describe"], otherVersionCalls);
    }

    // A worker is asked what it is before it is given work: one of another protocol version never answers a request.
    [Fact]
    public async Task A_worker_of_another_protocol_version_that_a_request_reaches_is_marked_down_and_its_answer_is_not_used()
    {
        var other = await StartOtherVersionAsync();
        using var pool = Pool(other, worker.ClientAddress);

        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.StartsWith($"worker {worker.ClientAddress}", answer.RanOn);
        Assert.DoesNotContain("ModelInfer", otherVersionCalls);
        Assert.False(pool.States().Single(s => s.Address == other).Up);
    }

    // Kestrel without TLS speaks HTTP/1.1 unless told to speak HTTP/2 only; the client's HTTP/2 is turned away.
    [Fact]
    public async Task A_web_site_speaking_http_1_is_refused_naming_its_address_and_the_pool_marks_it_down()
    {
        var site = await StartWebSiteAsync(HttpProtocols.Http1);
        using var client = new WorkerClient(site, RunningWorker.Key);
        using var pool = Pool(site, worker.ClientAddress);

        var refused = await Assert.ThrowsAsync<WorkerException>(() => client.DescribeAsync(Timeout));
        var described = (await pool.DescribeAllAsync()).ToDictionary(d => d.Address);
        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        Assert.Equal(StatusCode.Internal, refused.Status);
        Assert.True(refused.WorkerUnavailable);
        // What follows "failed" is the connection's own error: Kestrel's GOAWAY (HTTP_1_1_REQUIRED) or the connection it
        // closed, whichever the client reads first (CI once read the second).
        Assert.StartsWith($"The worker at {site} failed (asked to describe itself)", refused.Message);
        var state = pool.States().Single(s => s.Address == site);
        Assert.False(state.Up);
        Assert.Equal(described[site].Error, state.DownReason);
        Assert.StartsWith($"The worker at {site} failed", state.DownReason);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.StartsWith($"worker {worker.ClientAddress}", answer.RanOn);
    }

    // HTTP/2 without TLS: the site answers the worker's calls 404, which gRPC reads as Unimplemented.
    [Fact]
    public async Task A_web_site_speaking_http_2_is_refused_as_no_worker_naming_its_address()
    {
        var site = await StartWebSiteAsync(HttpProtocols.Http2);
        using var client = new WorkerClient(site, RunningWorker.Key);

        var refused = await Assert.ThrowsAsync<WorkerException>(() => client.DescribeAsync(Timeout));
        var metadata = await Assert.ThrowsAsync<WorkerException>(() => client.ModelMetadataAsync(RunningWorker.TinyClassifier, Timeout));

        Assert.Equal(StatusCode.Unimplemented, refused.Status);
        Assert.Equal($"{site} is not a QualityHub worker (asked to describe itself, it has no such call).", refused.Message);
        Assert.Equal(StatusCode.Unimplemented, metadata.Status);
        Assert.StartsWith($"{site} is not a QualityHub worker", metadata.Message);
    }

    // A server with no such call (Unimplemented) is no worker: marked down, its work goes to the next.
    [Fact]
    public async Task The_pool_marks_a_web_site_speaking_http_2_down_and_sends_its_work_to_a_worker()
    {
        var site = await StartWebSiteAsync(HttpProtocols.Http2);
        using var pool = Pool(site, worker.ClientAddress);

        var described = (await pool.DescribeAllAsync()).ToDictionary(d => d.Address);
        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        var state = pool.States().Single(s => s.Address == site);
        Assert.False(state.Up);
        Assert.Equal(described[site].Error, state.DownReason);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.StartsWith($"worker {worker.ClientAddress}", answer.RanOn);
    }

    [Fact]
    public async Task An_address_where_nothing_listens_is_unavailable_naming_it_and_the_pool_marks_it_down()
    {
        var nothing = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        using var client = new WorkerClient(nothing, RunningWorker.Key);
        using var pool = Pool(nothing, worker.ClientAddress);

        var refused = await Assert.ThrowsAsync<WorkerException>(() => client.DescribeAsync(Timeout));
        var described = (await pool.DescribeAllAsync()).ToDictionary(d => d.Address);
        var answer = await pool.InferAsync(Tiny, [1, 2, 3, 4], [4]);

        Assert.Equal(StatusCode.Unavailable, refused.Status);
        Assert.True(refused.WorkerUnavailable);
        Assert.StartsWith($"The worker at {nothing} is not answering (asked to describe itself)", refused.Message);
        Assert.StartsWith($"The worker at {nothing} is not answering", described[nothing].Error);
        var states = pool.States().ToDictionary(s => s.Address);
        Assert.False(states[nothing].Up);
        Assert.Equal(described[nothing].Error, states[nothing].DownReason);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        Assert.StartsWith($"worker {worker.ClientAddress}", answer.RanOn);
    }

    [Theory]
    [InlineData("ftp://somewhere")]
    [InlineData("gpu-host:7070")]
    [InlineData("/run/qualityhub/worker.sock")]
    public void An_address_in_none_of_the_three_forms_is_refused_naming_it(string address)
    {
        var refused = Assert.Throws<ArgumentException>(() => WorkerChannel.Create(address, maxMessageMb: 64));
        var byClient = Assert.Throws<ArgumentException>(() => new WorkerClient(address, RunningWorker.Key));

        Assert.StartsWith($"A worker address is http://host:port, https://host:port or unix:/path, not '{address}'.", refused.Message);
        Assert.Equal("address", refused.ParamName);
        Assert.Equal(refused.Message, byClient.Message);
    }

    private sealed class OtherVersionInfo(ConcurrentQueue<string> calls) : WorkerInfo.WorkerInfoBase
    {
        public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context)
        {
            calls.Enqueue("Describe");
            return Task.FromResult(new DescribeResponse { Protocol = OtherProtocol, Provider = "Cpu", Device = "CPU: another version" });
        }
    }

    // Answers as the tiny classifier would, so only the protocol version tells it apart from a worker of ours.
    private sealed class OtherVersionInference(ConcurrentQueue<string> calls) : GRPCInferenceService.GRPCInferenceServiceBase
    {
        public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
        {
            calls.Enqueue("ModelMetadata");
            var response = new ModelMetadataResponse { Name = request.Name, Platform = InferenceProtocolService.Platform, Versions = { "1" } };
            response.Inputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = "pixels", Datatype = TensorData.Fp32, Shape = { -1, 4 } });
            response.Outputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = "logits", Datatype = TensorData.Fp32, Shape = { -1, 3 } });
            return Task.FromResult(response);
        }

        public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
        {
            calls.Enqueue("ModelInfer");
            var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = "1", Id = request.Id };
            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "logits", Datatype = TensorData.Fp32, Shape = { 1, 3 } });
            response.RawOutputContents.Add(TensorData.RawOf([0f, 0f, 0f]));
            return Task.FromResult(response);
        }
    }
}
