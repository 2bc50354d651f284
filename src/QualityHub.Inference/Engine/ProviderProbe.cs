using Microsoft.Extensions.Logging;

namespace QualityHub.Inference.Engine;

/// <summary>
/// Which execution provider the configured preference gives on this machine, found by loading a tiny
/// built-in model (one Identity node) once, with the reason when CUDA was asked for and not used.
/// </summary>
public sealed record ProviderProbe(ProviderPreference Preference, ExecutionProvider? Provider, string? Reason, IReadOnlyList<string> CompiledProviders, int CudaDeviceId = 0)
{
    /// <summary>The GPU the CUDA provider runs on, read now (memory in use changes); null when no GPU provider runs.</summary>
    public GpuDevice? Gpu => Provider is ExecutionProvider.Cuda or ExecutionProvider.TensorRt ? GpuDevice.TryDescribe(CudaDeviceId) : null;

    /// <summary>The one-node model the probe loads: y = Identity(x).</summary>
    public static ReadOnlySpan<byte> ProbeModel => IdentityModel.Bytes;

    internal static ProviderProbe Run(SessionSettings settings, ILogger logger)
    {
        try
        {
            using var session = OnnxSession.Load(IdentityModel.Bytes, "provider-probe", settings, logger);
            return new ProviderProbe(settings.Provider, session.Provider, session.ProviderFallbackReason, OnnxSession.AvailableProviders, settings.CudaDeviceId);
        }
        catch (OnnxRuntimeException e)
        {
            return new ProviderProbe(settings.Provider, null, e.Message, []);
        }
    }
}
