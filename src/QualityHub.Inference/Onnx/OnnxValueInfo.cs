namespace QualityHub.Inference.Onnx;

/// <summary>A graph input or output as the model declares it: name, kind, and for (sparse) tensors element type and shape.</summary>
/// <remarks>
/// Shape is null when the model leaves the rank unknown and empty for a scalar. TypeName is ONNX's type string,
/// such as tensor(float) or seq(tensor(int64)). HasInitializer is true when an initializer of the same name backs
/// the input: models before IR version 4 list every weight as a graph input, and such inputs need no value.
/// </remarks>
public sealed record OnnxValueInfo(
    string Name,
    OnnxValueKind Kind,
    TensorElementType? ElementType,
    IReadOnlyList<OnnxDimension>? Shape,
    string TypeName,
    bool HasInitializer = false);
