using QualityHub.Inference.Runtime;

namespace QualityHub.Inference;

/// <summary>What the process knows about the ONNX Runtime it runs on: version, the native library it mapped, or why it is missing.</summary>
public sealed record OnnxRuntimeInfo(bool Available, string? Version, string LibraryPath, string? Error)
{
    /// <summary>Creates ORT's environment once (on first call) and describes it.</summary>
    public static OnnxRuntimeInfo Current
    {
        get
        {
            var loaded = OrtRuntime.Current;
            return new OnnxRuntimeInfo(loaded.Env is not null, loaded.Version, loaded.LibraryPath, loaded.Error);
        }
    }
}
