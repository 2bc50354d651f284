namespace QualityHub.Inference.Engine;

/// <summary>A model the engine can load: a stable key (e.g. the model version's content hash), its file and a name for messages.</summary>
public sealed record ModelSpec(string Key, string Path, string DisplayName);

/// <summary>Where one request's time went, in milliseconds; compute is the whole batch's run.</summary>
public sealed record InferenceTiming(double QueueMs, double PreprocessMs, double ComputeMs, double PostprocessMs, int BatchSize)
{
    public double TotalMs => QueueMs + PreprocessMs + ComputeMs + PostprocessMs;
}

/// <summary>One output of one item: the item's slice of the batch output, without the batch dimension.</summary>
public sealed record ItemOutput(string Name, float[] Data, long[] Shape);

/// <summary>What the engine returns for one item; <see cref="RanOn"/> names the worker and its device when it ran out of process.</summary>
public sealed record ItemResult(IReadOnlyList<ItemOutput> Outputs, InferenceTiming Timing, ExecutionProvider Provider, string? RanOn = null);
