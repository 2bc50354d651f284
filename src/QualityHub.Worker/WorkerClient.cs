using Grpc.Core;
using Grpc.Net.Client;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker;

/// <summary>A worker could not do what was asked; the message says why in the portal's words.</summary>
public sealed class WorkerException(string message, StatusCode status, Exception? inner = null) : Exception(message, inner)
{
    public StatusCode Status { get; } = status;

    /// <summary>True when the worker itself is gone or not answering (the work may go to another), not when the request was wrong.</summary>
    public bool WorkerUnavailable => Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown;
}

/// <summary>
/// The portal's side of one worker: the open inference protocol and QualityHub's Describe, every call with the shared
/// key. An address is <c>http://host:port</c> or <c>unix:/path/to/socket</c>.
/// </summary>
public sealed class WorkerClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient inference;
    private readonly WorkerInfo.WorkerInfoClient info;
    private readonly Metadata key;

    public WorkerClient(string address, string? sharedKey, int maxMessageMb = 64, WorkerTlsClient? tls = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        Address = address;
        channel = WorkerChannel.Create(address, maxMessageMb, tls);
        inference = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        info = new WorkerInfo.WorkerInfoClient(channel);
        // A server of another maker is sent no key (it is the portal's and its workers' secret).
        key = sharedKey is null ? [] : new Metadata { { WorkerKeyInterceptor.Header, sharedKey } };
    }

    public string Address { get; }

    /// <summary>What the worker runs on and holds; refuses a server that does not speak QualityHub's worker protocol.</summary>
    public async Task<DescribeResponse> DescribeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var described = await CallAsync(() => info.DescribeAsync(new DescribeRequest(), Options(timeout, cancellationToken)).ResponseAsync, "describe itself");
        if (described.Protocol != WorkerOptions.Protocol)
        {
            throw new WorkerException($"The worker at {Address} speaks '{described.Protocol}', not {WorkerOptions.Protocol}.", StatusCode.FailedPrecondition);
        }

        return described;
    }

    public async Task<bool> LiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await CallAsync(() => inference.ServerLiveAsync(new ServerLiveRequest(), Options(timeout, cancellationToken)).ResponseAsync, "say it is live")).Live;

    public async Task<bool> ModelReadyAsync(string model, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await CallAsync(() => inference.ModelReadyAsync(new ModelReadyRequest { Name = model }, Options(timeout, cancellationToken)).ResponseAsync, "say whether a model is ready")).Ready;

    public Task<ModelMetadataResponse> ModelMetadataAsync(string model, TimeSpan timeout, CancellationToken cancellationToken = default, string version = "") =>
        CallAsync(() => inference.ModelMetadataAsync(new ModelMetadataRequest { Name = model, Version = version }, Options(timeout, cancellationToken)).ResponseAsync, $"describe model {Short(model)}");

    /// <summary>Whether the server is ready for inference requests (the protocol's own health call).</summary>
    public async Task<bool> ServerReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await CallAsync(() => inference.ServerReadyAsync(new ServerReadyRequest(), Options(timeout, cancellationToken)).ResponseAsync, "say whether it is ready")).Ready;

    /// <summary>The server's name and version as the protocol reports them.</summary>
    public Task<ServerMetadataResponse> ServerMetadataAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        CallAsync(() => inference.ServerMetadataAsync(new ServerMetadataRequest(), Options(timeout, cancellationToken)).ResponseAsync, "describe itself");

    /// <summary>
    /// Runs <paramref name="values"/> (shape <paramref name="shape"/>, the batch first when the model has one) through
    /// model <paramref name="model"/> as one request, the tensor as raw bytes; the outputs keep the request's batch dimension.
    /// </summary>
    public async Task<ItemResult> InferAsync(
        string model, string inputName, float[] values, long[] shape, TimeSpan timeout, CancellationToken cancellationToken = default, string version = "")
    {
        var request = new ModelInferRequest { ModelName = model, ModelVersion = version };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = inputName, Datatype = TensorData.Fp32, Shape = { shape } });
        // The caller's array is the request's body (no copy): it stays unchanged until the answer is back.
        request.RawInputContents.Add(TensorData.RawView(values));
        var response = await CallAsync(() => inference.ModelInferAsync(request, Options(timeout, cancellationToken)).ResponseAsync, $"run model {Short(model)}");
        return Read(response);
    }

    /// <summary>
    /// Runs the items (without their batch dimension) one after another on the worker, each alone, timed there; the
    /// answers in the items' order.
    /// </summary>
    public async Task<IReadOnlyList<ItemResult>> InferEachAsync(
        string model, IReadOnlyList<float[]> items, IReadOnlyList<long[]> itemShapes, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var request = new InferEachRequest { Name = model };
        for (var i = 0; i < items.Count; i++)
        {
            request.Items.Add(new EachTensor { Shape = { itemShapes[i] }, Values = TensorData.RawOf(items[i]) });
        }

        var response = await CallAsync(() => info.InferEachAsync(request, Options(timeout, cancellationToken)).ResponseAsync, $"time model {Short(model)}");
        if (response.Answers.Count != items.Count)
        {
            throw new WorkerException($"The worker at {Address} answered {response.Answers.Count} of {items.Count} timed items.", StatusCode.DataLoss);
        }

        var provider = Enum.TryParse<ExecutionProvider>(response.Provider, out var parsed) ? parsed : ExecutionProvider.Cpu;
        return response.Answers.Select(a => new ItemResult(
            a.Outputs.Select(o => new ItemOutput(o.Name, TensorData.FloatsOf(o.Values) ?? throw new WorkerException($"Output '{o.Name}' is not a whole number of FP32 values.", StatusCode.DataLoss), o.Shape.ToArray())).ToList(),
            new InferenceTiming(a.QueueMs, 0, a.ComputeMs, a.PostprocessMs, 1), provider)).ToList();
    }

    /// <summary>The memory one session of <paramref name="model"/> takes on the worker, measured there.</summary>
    public async Task<SessionMemory> MeasureMemoryAsync(string model, float[] item, long[] itemShape, int loads, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var request = new MeasureMemoryRequest { Name = model, Item = TensorData.RawOf(item), ItemShape = { itemShape }, Loads = loads };
        var m = await CallAsync(() => info.MeasureMemoryAsync(request, Options(timeout, cancellationToken)).ResponseAsync, $"measure model {Short(model)}'s memory");
        return new SessionMemory(m.Bytes, m.LowBytes, m.HighBytes, m.Loads, m.Source,
            Enum.TryParse<ExecutionProvider>(m.Provider, out var provider) ? provider : ExecutionProvider.Cpu, m.Device, m.DeviceBytes);
    }

    /// <summary>The answer as the engine gives it in process: outputs, timing and the provider that ran it.</summary>
    public static ItemResult Read(ModelInferResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var outputs = new List<ItemOutput>(response.Outputs.Count);
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            var data = i < response.RawOutputContents.Count
                ? TensorData.FloatsOf(response.RawOutputContents[i]) ?? throw new WorkerException($"Output '{output.Name}' is not a whole number of FP32 values.", StatusCode.DataLoss)
                : output.Contents?.Fp32Contents.ToArray() ?? [];
            outputs.Add(new ItemOutput(output.Name, data, output.Shape.ToArray()));
        }

        double Number(string name) => response.Parameters.TryGetValue(name, out var p) ? p.DoubleParam : 0;
        var batch = response.Parameters.TryGetValue("batch_size", out var b) ? (int)b.Int64Param : 1;
        var provider = response.Parameters.TryGetValue("provider", out var named) && Enum.TryParse<ExecutionProvider>(named.StringParam, out var parsed)
            ? parsed
            : ExecutionProvider.Cpu;
        return new ItemResult(outputs, new InferenceTiming(Number("queue_ms"), 0, Number("compute_ms"), Number("postprocess_ms"), batch), provider);
    }

    private CallOptions Options(TimeSpan timeout, CancellationToken cancellationToken) =>
        new(key, DateTime.UtcNow + timeout, cancellationToken);

    private async Task<T> CallAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException($"Cancelled while the worker at {Address} was asked to {what}.", e);
        }
        catch (RpcException e)
        {
            var reason = e.StatusCode switch
            {
                StatusCode.Unavailable => $"The worker at {Address} is not answering (asked to {what}): {e.Status.Detail}",
                StatusCode.DeadlineExceeded => $"The worker at {Address} did not answer in time (asked to {what}).",
                StatusCode.Unauthenticated => $"The worker at {Address} refused the portal's key: {e.Status.Detail}",
                StatusCode.Unimplemented => $"{Address} is not a QualityHub worker (asked to {what}, it has no such call).",
                StatusCode.Internal or StatusCode.Unknown => $"The worker at {Address} failed (asked to {what}): {e.Status.Detail}",
                _ => e.Status.Detail,
            };
            throw new WorkerException(reason + TlsHint(e), e.StatusCode, e);
        }
    }

    // What a failed handshake most likely means, in the settings' words: the connection's own error names none of them.
    private string TlsHint(RpcException e)
    {
        if (Address.StartsWith("unix:", StringComparison.Ordinal))
        {
            return "";
        }

        var https = Address.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var closed = false; // the peer closed or broke the connection before answering (a refused connection is no IOException)
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                return " — the worker's TLS certificate was not accepted: Inference:WorkerTls:Ca names the authority that issued it, and the address must be a name the certificate holds.";
            }

            closed |= inner is IOException;
        }

        if (!closed && !e.Status.Detail.Contains("did not complete the HTTP/2 handshake", StringComparison.Ordinal))
        {
            return "";
        }

        return https
            ? " — if the worker requires mutual TLS (Worker:Tls:ClientCa), it closed the connection of a caller without a client certificate of its authority: check Inference:WorkerTls:Certificate and Key."
            : " — if the worker serves TLS (Worker:Tls), it is reached at https://, not http://.";
    }

    private static string Short(string model) => model.Length > 12 ? model[..12] : model;

    public void Dispose() => channel.Dispose();
}
