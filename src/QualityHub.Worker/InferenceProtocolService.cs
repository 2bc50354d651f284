using System.Reflection;
using Grpc.Core;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Tasks;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker;

/// <summary>
/// The open inference protocol over the engine: health, metadata and inference for models named by their content hash.
/// A request holds one FP32 input whose first dimension is the batch (as the model declares it); the batch runs as one
/// request through the engine, so a batch stays a batch. Each answer says, in its parameters, what it cost and what ran it.
/// </summary>
public sealed class InferenceProtocolService(InferenceEngine engine, ModelCache models) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string ServerName = "qualityhub-worker";
    public const string Platform = "onnxruntime_onnx";

    private static readonly string Version =
        typeof(InferenceProtocolService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    /// <summary>Ready once the engine knows what it runs on (its provider probe found a provider).</summary>
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = engine.Provider.Provider is not null });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = ServerName, Version = Version });

    /// <summary>Ready when the model's session is loaded and serving here; a model merely cached on disk is not ready yet.</summary>
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse
        {
            Ready = request.Version is "" or "1" && ModelCache.IsModelName(request.Name) && engine.Snapshot().Models.Any(m => m.Key == request.Name),
        });

    public override async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        RequireVersion(request.Name, request.Version);
        var (_, loaded) = await LoadAsync(request.Name, context.CancellationToken);
        var response = new ModelMetadataResponse { Name = request.Name, Platform = Platform, Versions = { "1" } };
        response.Inputs.AddRange(loaded.Inputs.Select(Metadata));
        response.Outputs.AddRange(loaded.Outputs.Select(Metadata));
        return response;
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        RequireVersion(request.ModelName, request.ModelVersion);
        var (spec, loaded) = await LoadAsync(request.ModelName, context.CancellationToken);
        var (values, shape, pooled) = ReadInput(request, loaded);
        var (count, itemShape) = loaded.BatchMode == BatchMode.None ? (1, shape) : ((int)shape[0], shape[1..]);
        if (count < 1)
        {
            throw Invalid($"The batch dimension of input '{loaded.Inputs[0].Name}' is {shape[0]}; a request holds at least one item.");
        }

        if (count > 1 && loaded.BatchMode != BatchMode.Dynamic)
        {
            throw Invalid($"The model takes one item per request (its first dimension is fixed at 1), not a batch of {count}.");
        }

        var requested = request.Outputs.Select(o => o.Name).ToList();
        var unknown = requested.Where(n => loaded.Outputs.All(o => o.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw Invalid($"The model has no output {string.Join(", ", unknown.Select(n => $"'{n}'"))}; it has {string.Join(", ", loaded.Outputs.Select(o => $"'{o.Name}'"))}.");
        }

        var result = await RunAsync(request.ModelName, () => loaded.BatchMode == BatchMode.Dynamic
            ? engine.InferBatchAsync(spec, values, count, itemShape, 0, context.CancellationToken)
            : engine.InferAsync(spec, values, itemShape, 0, context.CancellationToken));
        if (pooled)
        {
            // Answered, so the engine is done with the input; a failed or cancelled run may still hold it and keeps it.
            Inputs.Return(values);
        }

        var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = "1", Id = request.Id };
        foreach (var output in result.Outputs.Where(o => requested.Count == 0 || requested.Contains(o.Name)))
        {
            // The engine answers a lone item without its batch dimension; the protocol's answer keeps the request's.
            var outputShape = loaded.BatchMode == BatchMode.FixedOne ? [1, .. output.Shape] : output.Shape;
            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = TensorData.Fp32, Shape = { outputShape } });
            response.RawOutputContents.Add(TensorData.RawOf(output.Data));
        }

        var timing = result.Timing;
        response.Parameters.Add("queue_ms", new InferParameter { DoubleParam = timing.QueueMs });
        response.Parameters.Add("compute_ms", new InferParameter { DoubleParam = timing.ComputeMs });
        response.Parameters.Add("postprocess_ms", new InferParameter { DoubleParam = timing.PostprocessMs });
        response.Parameters.Add("batch_size", new InferParameter { Int64Param = timing.BatchSize });
        response.Parameters.Add("provider", new InferParameter { StringParam = result.Provider.ToString() });
        return response;
    }

    private Task<(ModelSpec Spec, LoadedModel Loaded)> LoadAsync(string name, CancellationToken cancellationToken) =>
        LoadAsync(engine, models, name, cancellationToken);

    /// <summary>The model resolved once and its session, loaded (and its file fetched) when needed; a model the engine cannot run is named with the reason.</summary>
    internal static async Task<(ModelSpec Spec, LoadedModel Loaded)> LoadAsync(InferenceEngine engine, ModelCache models, string name, CancellationToken cancellationToken)
    {
        var spec = await models.ResolveAsync(name, cancellationToken);
        try
        {
            return (spec, await engine.LoadAsync(spec, cancellationToken));
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or InvalidDataException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Model {name} cannot run here: {e.Message}"));
        }
    }

    /// <summary>
    /// A run of model <paramref name="name"/>, its failures in the protocol's terms: a wrong request is InvalidArgument, a run
    /// past the worker's memory ResourceExhausted (the request's answer, not the worker's end), any other failure of the
    /// model FailedPrecondition.
    /// </summary>
    internal static async Task<T> RunAsync<T>(string name, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (ArgumentException e)
        {
            throw Invalid(e.Message);
        }
        catch (Exception e) when (e is OutOfMemoryException || (e is OnnxRuntimeException && e.Message.Contains("alloc", StringComparison.OrdinalIgnoreCase)))
        {
            // Past the worker's memory (its limit, Inference:WorkerMemoryMb, or the machine's).
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Model {name} ran out of memory on this worker: {e.Message}"));
        }
        catch (OnnxRuntimeException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Model {name} failed on this worker: {e.Message}"));
        }
    }

    // Batches are read into reused buffers: a batch is past 85 KB, and one new array per request would keep the
    // large-object heap's collections busy on the cores the model needs.
    private static readonly BatchBufferPool Inputs = new();

    private static (float[] Values, long[] Shape, bool Pooled) ReadInput(ModelInferRequest request, LoadedModel loaded)
    {
        var declared = loaded.Inputs[0];
        if (request.Inputs.Count != 1)
        {
            throw Invalid($"The model takes one input, '{declared.Name}' ({TensorData.Fp32} {TensorData.Describe(declared.Shape)}); the request has {request.Inputs.Count}.");
        }

        var input = request.Inputs[0];
        if (input.Name != declared.Name)
        {
            throw Invalid($"The model's input is '{declared.Name}', not '{input.Name}'.");
        }

        if (input.Datatype != TensorData.Fp32)
        {
            throw Invalid($"Input '{input.Name}' is {TensorData.Fp32}, not '{input.Datatype}'.");
        }

        var shape = input.Shape.ToArray();
        var expected = TensorData.ElementCount(shape);
        var fits = shape.Length == declared.Shape.Length && expected >= 0;
        for (var d = 0; fits && d < shape.Length; d++)
        {
            fits = declared.Shape[d] < 0 || declared.Shape[d] == shape[d];
        }

        if (!fits)
        {
            throw Invalid($"Input '{input.Name}' has shape {TensorData.Describe(declared.Shape)} (-1: any size), not {TensorData.Describe(shape)}.");
        }

        float[]? values;
        if (request.RawInputContents.Count > 0)
        {
            if (request.RawInputContents.Count != 1 || input.Contents is not null)
            {
                throw Invalid("A request carries its input either as raw_input_contents (one entry per input) or in contents, not both.");
            }

            values = expected <= int.MaxValue ? TensorData.FloatsOf(request.RawInputContents[0], (int)expected, Inputs) : null;
            if (values is null)
            {
                throw Invalid($"Input '{input.Name}' of shape {TensorData.Describe(shape)} is {expected * sizeof(float)} bytes of {TensorData.Fp32}, not {request.RawInputContents[0].Length}.");
            }

            return (values, shape, true);
        }
        else
        {
            values = input.Contents?.Fp32Contents.ToArray() ?? [];
            if (values.Length != expected)
            {
                throw Invalid($"Input '{input.Name}' of shape {TensorData.Describe(shape)} has {expected} values, not {values.Length}.");
            }
        }

        return (values, shape, false);
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorInfo tensor) =>
        new() { Name = tensor.Name, Datatype = TensorData.DatatypeOf(tensor.ElementType), Shape = { tensor.Shape } };

    // A model's content is its name: each has the one version, "1" (none named: the server's choice, that one).
    private static void RequireVersion(string name, string version)
    {
        if (version is not ("" or "1"))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Model {name} has one version here, 1, not '{version}': a model's content is its name."));
        }
    }

    internal static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
