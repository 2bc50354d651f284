namespace QualityHub.Inference;

/// <summary>How a model's session is created: execution provider, graph optimisation, threads.</summary>
public sealed record SessionSettings
{
    public ProviderPreference Provider { get; init; } = ProviderPreference.Auto;

    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.All;

    /// <summary>Threads inside one operator; 0 lets ORT choose (one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads across independent operators (parallel execution mode only); 0 lets ORT choose.</summary>
    public int InterOpThreads { get; init; }

    public ExecutionMode ExecutionMode { get; init; } = ExecutionMode.Sequential;

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin-wait for work between runs (its default). Spinning lowers the
    /// latency of back-to-back runs and burns the cores that pre- and post-processing need meanwhile.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    public int CudaDeviceId { get; init; }

    /// <summary>Upper bound of the CUDA provider's memory arena in bytes; 0 means no limit.</summary>
    public long CudaMemoryLimitBytes { get; init; }

    /// <summary>How cuDNN picks convolution algorithms: exhaustive (ORT's default) measures them all on first use.</summary>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; init; } = CudnnConvAlgoSearch.Exhaustive;

    /// <summary>How the CUDA memory arena grows.</summary>
    public ArenaExtendStrategy ArenaExtendStrategy { get; init; } = ArenaExtendStrategy.NextPowerOfTwo;

    /// <summary>Put TensorRT in front of CUDA (it needs TensorRT's own libraries on the GPU host); off by default.</summary>
    public bool TensorRt { get; init; }
}

/// <summary>ORT's cudnn_conv_algo_search values.</summary>
public enum CudnnConvAlgoSearch
{
    Exhaustive,
    Heuristic,
    Default,
}

/// <summary>ORT's arena_extend_strategy values.</summary>
public enum ArenaExtendStrategy
{
    NextPowerOfTwo,
    SameAsRequested,
}

/// <summary>Which execution provider to ask for: auto and cuda try the GPU (TensorRT first when enabled) and fall back to CPU, saying why; cpu never tries the GPU.</summary>
public enum ProviderPreference
{
    Auto,
    Cuda,
    Cpu,
}

/// <summary>The provider that actually runs a session.</summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
    TensorRt,
}

/// <summary>ORT's GraphOptimizationLevel.</summary>
public enum GraphOptimizationLevel
{
    None = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}

/// <summary>ORT's ExecutionMode.</summary>
public enum ExecutionMode
{
    Sequential = 0,
    Parallel = 1,
}
