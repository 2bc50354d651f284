namespace QualityHub.Inference.Engine;

/// <summary>Settings of the inference engine (configuration section "Inference").</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>auto tries the GPU and falls back to CPU; cuda asks for CUDA (and still falls back, saying why); cpu never tries the GPU.</summary>
    public ProviderPreference Provider { get; set; } = ProviderPreference.Auto;

    public int CudaDeviceId { get; set; }

    /// <summary>CUDA arena limit in MiB; 0 = no limit.</summary>
    public long CudaMemoryLimitMb { get; set; }

    /// <summary>cuDNN convolution algorithm search: exhaustive (ORT's default), heuristic or default.</summary>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; set; } = CudnnConvAlgoSearch.Exhaustive;

    /// <summary>How the CUDA memory arena grows: nextPowerOfTwo (ORT's default) or sameAsRequested.</summary>
    public ArenaExtendStrategy ArenaExtendStrategy { get; set; } = ArenaExtendStrategy.NextPowerOfTwo;

    /// <summary>Try TensorRT in front of CUDA (needs TensorRT's libraries on the GPU host).</summary>
    public bool TensorRt { get; set; }

    /// <summary>Largest micro-batch the dynamic batcher forms (models with a dynamic batch dimension only).</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// How long the batcher waits for more requests after the first one arrives, in milliseconds. 0 (Triton's
    /// default) batches whatever is waiting when the session is free: no added latency for a lone request, and
    /// under load requests pile up during each run, so batches still form. Raise it to trade latency for batch size.
    /// </summary>
    public double MaxBatchDelayMs { get; set; }

    /// <summary>Model runs in flight at once across all sessions; more than the cores only adds contention.</summary>
    public int MaxConcurrentRuns { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// Budget for loaded sessions, in MiB, counted as the sum of the model files' sizes (a session's weights);
    /// least recently used sessions are evicted to stay under it.
    /// </summary>
    public long MemoryBudgetMb { get; set; } = 2048;

    /// <summary>
    /// Threads inside one operator per session; 0 lets ONNX Runtime choose (one per core). The default leaves one core
    /// to everything around the model — reading and decoding images, pre- and post-processing, database writes, the
    /// web app: on 2 cores an evaluation of the demo CNN runs as fast with 1 thread as with 2 (19–20k images/s end to
    /// end, qualityhub bench-evaluation), while the second core stays free to serve pages during it.
    /// </summary>
    public int IntraOpThreads { get; set; } = Math.Max(1, Environment.ProcessorCount - 1);

    public int InterOpThreads { get; set; }

    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>
    /// Let ONNX Runtime's threads spin between runs (see <see cref="SessionSettings.AllowSpinning"/>). Off by default:
    /// the engine shares the cores with decoding, pre-/post-processing and the web app (with other work on a 2-core
    /// machine an evaluation ran 20–27 % faster without spinning; on a quiet one, the same).
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>What is wrong with these settings, one message per key; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                problems.Add(message);
            }
        }

        Require(MaxBatchSize is >= 1 and <= 4096, $"Inference:MaxBatchSize must be between 1 and 4096, not {MaxBatchSize}.");
        Require(MaxBatchDelayMs is >= 0 and <= 1000, $"Inference:MaxBatchDelayMs must be between 0 and 1000, not {MaxBatchDelayMs}.");
        Require(MaxConcurrentRuns is >= 1 and <= 256, $"Inference:MaxConcurrentRuns must be between 1 and 256, not {MaxConcurrentRuns}.");
        Require(MemoryBudgetMb >= 1, $"Inference:MemoryBudgetMb must be at least 1, not {MemoryBudgetMb}.");
        Require(IntraOpThreads >= 0 && InterOpThreads >= 0, "Inference:IntraOpThreads and Inference:InterOpThreads must not be negative.");
        Require(CudaDeviceId >= 0 && CudaMemoryLimitMb >= 0, "Inference:CudaDeviceId and Inference:CudaMemoryLimitMb must not be negative.");
        return problems;
    }

    /// <summary>Throws an ArgumentException listing every problem.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }

    /// <summary>The session settings the engine loads every model with (benchmarks use them to measure the same thing).</summary>
    public SessionSettings ToSessionSettings() => new()
    {
        Provider = Provider,
        OptimizationLevel = OptimizationLevel,
        AllowSpinning = AllowSpinning,
        IntraOpThreads = IntraOpThreads,
        InterOpThreads = InterOpThreads,
        CudaDeviceId = CudaDeviceId,
        CudaMemoryLimitBytes = CudaMemoryLimitMb * 1024 * 1024,
        CudnnConvAlgoSearch = CudnnConvAlgoSearch,
        ArenaExtendStrategy = ArenaExtendStrategy,
        TensorRt = TensorRt,
    };
}
