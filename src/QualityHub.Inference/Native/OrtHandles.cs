using System.Runtime.InteropServices;

namespace QualityHub.Inference.Native;

/// <summary>A native ORT object, released exactly once through its OrtApi Release function.</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected abstract int ReleaseIndex { get; }

    protected override bool ReleaseHandle()
    {
        OrtApi.Release(ReleaseIndex, handle);
        return true;
    }
}

internal sealed class OrtEnvHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseEnvIndex;
}

internal sealed class OrtSessionOptionsHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseSessionOptionsIndex;
}

internal sealed class OrtSessionHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseSessionIndex;
}

internal sealed class OrtValueHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseValueIndex;
}

internal sealed class OrtMemoryInfoHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseMemoryInfoIndex;
}

internal sealed class OrtRunOptionsHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseRunOptionsIndex;
}

internal sealed class OrtTypeInfoHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseTypeInfoIndex;
}

internal sealed class OrtTensorTypeAndShapeInfoHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseTensorTypeAndShapeInfoIndex;
}

internal sealed class OrtModelMetadataHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseModelMetadataIndex;
}

internal sealed class OrtCudaProviderOptionsHandle(nint handle) : OrtHandle(handle)
{
    protected override int ReleaseIndex => OrtApi.ReleaseCudaProviderOptionsIndex;
}
