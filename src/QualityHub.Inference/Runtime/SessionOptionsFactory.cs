using System.Globalization;
using Ort = Microsoft.ML.OnnxRuntime;

namespace QualityHub.Inference.Runtime;

/// <summary>ORT session options for our settings and one execution provider (with the providers it needs behind it).</summary>
internal static class SessionOptionsFactory
{
    public static Ort.SessionOptions Create(SessionSettings settings, ExecutionProvider provider)
    {
        var options = new Ort.SessionOptions();
        try
        {
            options.GraphOptimizationLevel = (Ort.GraphOptimizationLevel)settings.OptimizationLevel;
            options.ExecutionMode = (Ort.ExecutionMode)settings.ExecutionMode;
            options.IntraOpNumThreads = settings.IntraOpThreads;
            options.InterOpNumThreads = settings.InterOpThreads;
            if (!settings.AllowSpinning)
            {
                options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            }

            // TensorRT takes the subgraphs it can build engines for; CUDA, behind it, the rest.
            if (provider == ExecutionProvider.TensorRt)
            {
                using var tensorRt = new Ort.OrtTensorRTProviderOptions();
                tensorRt.UpdateOptions(new Dictionary<string, string> { ["device_id"] = Invariant(settings.CudaDeviceId) });
                options.AppendExecutionProvider_Tensorrt(tensorRt);
            }

            if (provider is ExecutionProvider.TensorRt or ExecutionProvider.Cuda)
            {
                using var cuda = new Ort.OrtCUDAProviderOptions();
                cuda.UpdateOptions(CudaOptions(settings));
                options.AppendExecutionProvider_CUDA(cuda);
            }

            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>The CUDA provider's options as ORT names them (onnxruntime_c_api.h, OrtCUDAProviderOptionsV2).</summary>
    internal static Dictionary<string, string> CudaOptions(SessionSettings settings)
    {
        var options = new Dictionary<string, string>
        {
            ["device_id"] = Invariant(settings.CudaDeviceId),
            ["cudnn_conv_algo_search"] = settings.CudnnConvAlgoSearch switch
            {
                CudnnConvAlgoSearch.Heuristic => "HEURISTIC",
                CudnnConvAlgoSearch.Default => "DEFAULT",
                _ => "EXHAUSTIVE",
            },
            ["arena_extend_strategy"] = settings.ArenaExtendStrategy == ArenaExtendStrategy.SameAsRequested ? "kSameAsRequested" : "kNextPowerOfTwo",
        };
        if (settings.CudaMemoryLimitBytes > 0)
        {
            options["gpu_mem_limit"] = Invariant(settings.CudaMemoryLimitBytes);
        }

        return options;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
