namespace QualityHub.Inference.Onnx;

/// <summary>Which kind of value a graph input or output holds, as its TypeProto declares.</summary>
public enum OnnxValueKind
{
    /// <summary>The TypeProto sets none of the kinds below (or one newer than this reader).</summary>
    Unknown = 0,
    Tensor,
    SparseTensor,
    Sequence,
    Map,
    Optional,
}
