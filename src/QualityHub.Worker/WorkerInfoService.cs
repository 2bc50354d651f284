using Grpc.Core;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker;

/// <summary>What the worker runs on and holds: its device, its loaded models with their queues, its memory budget.</summary>
public sealed class WorkerInfoService(InferenceEngine engine, ModelCache models) : WorkerInfo.WorkerInfoBase
{
    public override Task<DescribeResponse> Describe(DescribeRequest request, ServerCallContext context)
    {
        var probe = engine.Provider;
        var snapshot = engine.Snapshot();
        var gpu = probe.Gpu;
        var response = new DescribeResponse
        {
            Protocol = WorkerOptions.Protocol,
            Version = typeof(WorkerInfoService).Assembly.GetName().Version?.ToString() ?? "0",
            Provider = probe.Provider?.ToString() ?? "unavailable",
            Device = gpu is not null ? $"GPU: {gpu.Name}" : probe.Provider is ExecutionProvider.Cuda or ExecutionProvider.TensorRt ? $"CUDA device {probe.CudaDeviceId}" : CpuDevice.Describe(),
            Cores = Environment.ProcessorCount,
            DeviceMemoryBytes = gpu?.MemoryTotalBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            ProviderReason = probe.Reason ?? "",
            QueueDepth = snapshot.Models.Sum(m => m.QueueDepth),
            MaxConcurrentRuns = engine.Options.MaxConcurrentRuns,
            MemoryBudgetBytes = snapshot.BudgetBytes,
            MemoryUsedBytes = snapshot.UsedBytes,
        };
        response.Models.AddRange(snapshot.Models.Select(m => new WorkerModel
        {
            Name = m.Key,
            Provider = m.Provider.ToString(),
            SizeBytes = m.SizeBytes,
            QueueDepth = m.QueueDepth,
            Items = m.Items,
        }));
        return Task.FromResult(response);
    }

    /// <summary>The most items one <c>InferEach</c> call may carry (the portal sends a few dozen at a time).</summary>
    public const int MaxEachItems = 1024;

    public override async Task<InferEachResponse> InferEach(InferEachRequest request, ServerCallContext context)
    {
        if (request.Items.Count is < 1 or > MaxEachItems)
        {
            throw InferenceProtocolService.Invalid($"A timed run takes 1 to {MaxEachItems} items, not {request.Items.Count}.");
        }

        var items = new float[request.Items.Count][];
        var shapes = new long[request.Items.Count][];
        for (var i = 0; i < items.Length; i++)
        {
            var given = request.Items[i];
            shapes[i] = given.Shape.ToArray();
            var expected = TensorData.ElementCount(shapes[i]);
            items[i] = TensorData.FloatsOf(given.Values) is { } values && values.Length == expected && expected > 0
                ? values
                : throw InferenceProtocolService.Invalid($"Item {i} of shape {TensorData.Describe(shapes[i])} is not {Math.Max(expected, 0) * sizeof(float)} bytes of {TensorData.Fp32} (it is {given.Values.Length}).");
        }

        var (spec, _) = await InferenceProtocolService.LoadAsync(engine, models, request.Name, context.CancellationToken);
        var results = await InferenceProtocolService.RunAsync(request.Name, () => engine.InferEachAsync(spec, items, shapes, context.CancellationToken));
        var response = new InferEachResponse { Provider = results.Count > 0 ? results[0].Provider.ToString() : "" };
        foreach (var result in results)
        {
            var answer = new EachAnswer { QueueMs = result.Timing.QueueMs, ComputeMs = result.Timing.ComputeMs, PostprocessMs = result.Timing.PostprocessMs };
            answer.Outputs.AddRange(result.Outputs.Select(o => new EachTensor { Name = o.Name, Shape = { o.Shape }, Values = TensorData.RawOf(o.Data) }));
            response.Answers.Add(answer);
        }

        return response;
    }

    public override async Task<MeasureMemoryResponse> MeasureMemory(MeasureMemoryRequest request, ServerCallContext context)
    {
        var spec = await models.ResolveAsync(request.Name, context.CancellationToken);
        var item = TensorData.FloatsOf(request.Item);
        var shape = request.ItemShape.ToArray();
        if (item is null || item.Length == 0 || TensorData.ElementCount(shape) != item.Length || request.Loads is < 1 or > 10)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A memory measurement takes one FP32 item whose shape matches its values, measured 1 to 10 times."));
        }

        SessionMemory memory;
        try
        {
            memory = await engine.MeasureSessionMemoryAsync(spec, item, shape, request.Loads, context.CancellationToken);
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or ArgumentException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Model {request.Name} could not be measured here: {e.Message}"));
        }

        return new MeasureMemoryResponse
        {
            Bytes = memory.Bytes,
            LowBytes = memory.LowBytes,
            HighBytes = memory.HighBytes,
            Loads = memory.Loads,
            Source = memory.Source,
            Provider = memory.Provider.ToString(),
            Device = memory.Device,
            DeviceBytes = memory.DeviceBytes,
        };
    }
}
