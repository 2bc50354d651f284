using System.Globalization;

namespace QualityHub.Inference.Onnx;

/// <summary>One dimension of a declared shape: a fixed size, a symbolic name such as "batch", or unknown (both null).</summary>
public readonly record struct OnnxDimension(long? Value, string? Symbol)
{
    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
