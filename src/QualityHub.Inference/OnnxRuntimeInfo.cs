using QualityHub.Inference.Native;

namespace QualityHub.Inference;

/// <summary>What the process knows about the ONNX Runtime it runs on: version, where it was loaded from, or why it is missing.</summary>
public sealed record OnnxRuntimeInfo(bool Available, string? Version, string LibraryPath, string? Error)
{
    /// <summary>Loads the native library once (on first call) and describes it.</summary>
    public static OnnxRuntimeInfo Current
    {
        get
        {
            var result = OrtLibrary.Result;
            return new OnnxRuntimeInfo(result.IsLoaded, result.Version, result.Path, result.Error);
        }
    }
}
