using QualityHub.Core.Metrics;

namespace QualityHub.Core.Capacity;

/// <summary>
/// What capacity rests on, as one evaluation run measured it: a session's memory (null when the run predates memory
/// measurement), the requests per second one instance serves taking one input at a time (1000 ÷ the median
/// processing time), the most the measuring device computed with the engine batching (its ceiling), and that device.
/// </summary>
public sealed record CapacityMeasurement(
    int RunId, double? SessionMemoryGb, string? MemorySource, double? QpsPerInstance, double? DeviceQpsCeiling, string? Device, double? DeviceMemoryGb)
{
    private const double BytesPerGb = 1024d * 1024 * 1024;

    public static CapacityMeasurement Of(int runId, RunMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var perInstance = metrics.ProcessingTime is { P50Ms: > 0 } time ? 1000 / time.P50Ms : (double?)null;
        var batched = metrics.Throughput.BatchedItemsPerSecond > 0 ? metrics.Throughput.BatchedItemsPerSecond : (double?)null;
        // The device computed at least what one instance does alone, whichever of the two runs measured more.
        var ceiling = (perInstance, batched) switch
        {
            ({ } one, { } many) => Math.Max(one, many),
            (var one, var many) => one ?? many,
        };
        var memory = metrics.Memory;
        return new CapacityMeasurement(
            runId, memory is null ? null : Math.Max(memory.Bytes, 1) / BytesPerGb, memory?.Source, perInstance ?? batched, ceiling,
            memory?.Device, memory is null ? null : memory.DeviceBytes / BytesPerGb);
    }
}
