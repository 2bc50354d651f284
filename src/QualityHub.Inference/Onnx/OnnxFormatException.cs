namespace QualityHub.Inference.Onnx;

/// <summary>ONNX or protobuf bytes that cannot be read: malformed, truncated, or not ONNX at all.</summary>
public class OnnxFormatException : Exception
{
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    public OnnxFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
