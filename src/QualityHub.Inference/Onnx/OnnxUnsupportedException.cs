namespace QualityHub.Inference.Onnx;

/// <summary>Well-formed ONNX content that QualityHub does not read (sequences, maps, optionals, external data, …).</summary>
/// <remarks>
/// It derives from <see cref="OnnxFormatException"/> so that code refusing bad input needs one catch, while a
/// conformance runner can catch this type alone and mark the case skipped with its message.
/// </remarks>
public sealed class OnnxUnsupportedException(string message) : OnnxFormatException(message);
