namespace QualityHub.Inference;

/// <summary>
/// A model input or output as the session declares it. Dimensions that are not fixed are -1 in
/// <see cref="Shape"/>, with their symbolic name (e.g. "batch") in <see cref="SymbolicDimensions"/> when the model gives one.
/// </summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, long[] Shape, string?[] SymbolicDimensions, bool IsTensor = true)
{
    /// <summary>True when the first dimension is not fixed: requests can be stacked into one batch.</summary>
    public bool HasDynamicBatch => Shape.Length > 0 && Shape[0] < 0;

    public override string ToString() =>
        $"{Name}: {ElementType} [{string.Join(", ", Shape.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDimensions[i] ?? "?"))}]";
}

/// <summary>Metadata the model file carries.</summary>
public sealed record ModelMetadata(string ProducerName, string GraphName, string Description, long Version, IReadOnlyDictionary<string, string> Custom);
