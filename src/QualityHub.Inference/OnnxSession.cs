using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityHub.Inference.Runtime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace QualityHub.Inference;

/// <summary>
/// One loaded ONNX model over ONNX Runtime's managed API. Thread-safe for Run (ORT allows concurrent runs on a
/// session). Reports which execution provider actually runs it and, when a GPU provider was asked for but could
/// not be used, ORT's own reason.
/// </summary>
public sealed class OnnxSession : IDisposable
{
    private readonly Ort.InferenceSession session;
    private readonly string[] inputNames;
    private readonly string[] outputNames;

    // Shared by every run that cannot be cancelled: nobody ever sets Terminate on it.
    private readonly Ort.RunOptions uncancellable = new();

    // One I/O binding kept between runs into pre-allocated outputs; a run takes it, and a concurrent run that finds
    // it taken binds its own.
    private BoundTensors? idleBinding;

    private OnnxSession(string name, Ort.InferenceSession session, ExecutionProvider provider, string? fallbackReason)
    {
        Name = name;
        this.session = session;
        Provider = provider;
        ProviderFallbackReason = fallbackReason;
        inputNames = [.. session.InputNames];
        outputNames = [.. session.OutputNames];
        Inputs = inputNames.Select(n => Describe(n, session.InputMetadata[n])).ToArray();
        Outputs = outputNames.Select(n => Describe(n, session.OutputMetadata[n])).ToArray();
        var metadata = session.ModelMetadata;
        Metadata = new ModelMetadata(metadata.ProducerName, metadata.GraphName, metadata.Description, metadata.Version, metadata.CustomMetadataMap);
    }

    /// <summary>What the session is called in messages: usually the model version or file name.</summary>
    public string Name { get; }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    public ModelMetadata Metadata { get; }

    public ExecutionProvider Provider { get; }

    /// <summary>Why the GPU provider that was asked for does not run this session (ORT's words); null otherwise.</summary>
    public string? ProviderFallbackReason { get; }

    /// <summary>Execution providers this ONNX Runtime build was compiled with (not necessarily usable here).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtRuntime.Require().GetAvailableProviders();

    /// <summary>
    /// Loads a model file. Every failure is an <see cref="OnnxRuntimeException"/> naming the model (<paramref name="name"/>,
    /// or the file name) and never the file's path, which is the server's business. Cancelling
    /// <paramref name="loadCancellation"/> asks ONNX Runtime to give up the load (an <see cref="OperationCanceledException"/>).
    /// </summary>
    public static OnnxSession Load(string path, SessionSettings settings, ILogger? logger = null, string? name = null, CancellationToken loadCancellation = default)
    {
        name ??= Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile, "the model file does not exist", name);
        }

        try
        {
            return Create(name, settings, logger, loadCancellation, options => new Ort.InferenceSession(path, options));
        }
        catch (OnnxRuntimeException e)
        {
            // ORT names the file it was given ("Load model from /data/store/ab/… failed"); messages reach users.
            throw e.WithoutPath(path);
        }
    }

    /// <summary>Loads a model from bytes (ORT copies what it needs).</summary>
    public static OnnxSession Load(ReadOnlySpan<byte> model, string name, SessionSettings settings, ILogger? logger = null)
    {
        if (model.IsEmpty)
        {
            throw new OnnxRuntimeException(OrtErrorCode.InvalidProtobuf, "the model is empty (0 bytes)", name);
        }

        var bytes = model.ToArray();
        return Create(name, settings, logger, CancellationToken.None, options => new Ort.InferenceSession(bytes, options));
    }

    private static OnnxSession Create(
        string name, SessionSettings settings, ILogger? logger, CancellationToken loadCancellation, Func<Ort.SessionOptions, Ort.InferenceSession> createSession)
    {
        logger ??= NullLogger.Instance;
        try
        {
            OrtRuntime.Require();
            var reasons = new List<string>();
            foreach (var provider in ProvidersToTry(settings))
            {
                var (session, reason) = TryCreate(provider, settings, loadCancellation, createSession);
                if (session is not null)
                {
                    var fallback = reasons.Count == 0 ? null : string.Join("; ", reasons);
                    if (fallback is not null)
                    {
                        logger.LogWarning("Model {Model}: {Reason}; running on {Provider}", name, fallback, provider);
                    }

                    return new OnnxSession(name, session, provider, fallback);
                }

                reasons.Add(reason!);
            }

            throw new OnnxRuntimeException(OrtErrorCode.EpFail, string.Join("; ", reasons), name);
        }
        catch (OnnxRuntimeException e) when (e.Model is null)
        {
            throw e.ForModel(name);
        }
    }

    // GPU providers first when asked for (TensorRT only when enabled), then always the CPU, which cannot fail to load.
    private static IEnumerable<ExecutionProvider> ProvidersToTry(SessionSettings settings)
    {
        if (settings.Provider != ProviderPreference.Cpu)
        {
            if (settings.TensorRt)
            {
                yield return ExecutionProvider.TensorRt;
            }

            yield return ExecutionProvider.Cuda;
        }

        yield return ExecutionProvider.Cpu;
    }

    // A session on one provider, or why not. Errors of the model itself are thrown: another provider will not help.
    private static (Ort.InferenceSession? Session, string? Reason) TryCreate(
        ExecutionProvider provider, SessionSettings settings, CancellationToken loadCancellation, Func<Ort.SessionOptions, Ort.InferenceSession> createSession)
    {
        var (session, logged) = OrtRuntime.CaptureErrors(() =>
        {
            using var options = SessionOptionsFactory.Create(settings, provider);
            // ORT checks the flag between the steps of a load; a load stopped so ends with ModelLoadCanceled.
            using var cancelling = loadCancellation.Register(static state => ((Ort.SessionOptions)state!).SetLoadCancellationFlag(true), options);
            return createSession(options);
        }, out var failure);
        if (failure is not null)
        {
            loadCancellation.ThrowIfCancellationRequested();
        }

        switch (failure)
        {
            case null:
                return (session, null);
            case Ort.OnnxRuntimeException ort:
                var error = OrtErrors.Translate(ort);
                if (provider == ExecutionProvider.Cpu || IsModelError(error))
                {
                    throw error;
                }

                // Where ORT's exception says only "Failed to load shared library", its log says which library and why.
                var details = OrtErrors.WithoutLibraryFolders(string.Join(" ", (logged.Count > 0 ? logged : [error.OrtMessage]).Select(OrtErrors.Essence)));
                return (null, $"{ProviderLabel(provider)} unavailable: {details}");
            default:
                throw failure;
        }
    }

    private static string ProviderLabel(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.TensorRt => "TensorRT",
        ExecutionProvider.Cuda => "CUDA",
        _ => "CPU",
    };

    // The model itself is broken: trying another provider will not help, and the error should say so.
    private static bool IsModelError(OnnxRuntimeException e) =>
        e.Code is OrtErrorCode.InvalidProtobuf or OrtErrorCode.InvalidGraph or OrtErrorCode.NoSuchFile or OrtErrorCode.NoModel;

    /// <summary>Runs the model; outputs are allocated by ORT and copied into new managed tensors.</summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken = default)
    {
        CheckInputs(inputs);
        var values = new Ort.OrtValue[inputs.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = inputs[i].OrtValue;
        }

        return Execute(cancellationToken, runOptions =>
        {
            using var results = session.Run(runOptions, inputNames, values, outputNames);
            var tensors = new Tensor[results.Count];
            for (var i = 0; i < tensors.Length; i++)
            {
                tensors[i] = Tensor.CopyFrom(results[i]);
            }

            return tensors;
        });
    }

    /// <summary>
    /// Runs the model writing into pre-allocated outputs of the exact output shapes (one per model output, in
    /// order), through an I/O binding kept between runs: run again with the same tensors and nothing managed is
    /// allocated.
    /// </summary>
    public void Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, CancellationToken cancellationToken = default)
    {
        CheckInputs(inputs);
        if (outputs.Count != outputNames.Length)
        {
            throw new ArgumentException($"Model '{Name}' has {outputNames.Length} output(s); {outputs.Count} were given.", nameof(outputs));
        }

        ObjectDisposedException.ThrowIf(disposed, this);
        var binding = Interlocked.Exchange(ref idleBinding, null) ?? new BoundTensors(session.CreateIoBinding());
        try
        {
            binding.BindTo(inputNames, inputs, outputNames, outputs);
            if (cancellationToken.CanBeCanceled)
            {
                RunCancellable(binding, cancellationToken);
            }
            else
            {
                RunUncancellable(binding);
            }
        }
        finally
        {
            if (disposed || Interlocked.CompareExchange(ref idleBinding, binding, null) is not null)
            {
                binding.Dispose();
            }
        }
    }

    // In a method of its own: a lambda over the binding in Run would allocate its closure on every call.
    private void RunCancellable(BoundTensors binding, CancellationToken cancellationToken) =>
        Execute(cancellationToken, runOptions =>
        {
            session.RunWithBinding(runOptions, binding.IoBinding);
            return true;
        });

    // The steady-state path, without a closure: no managed allocation per run.
    private void RunUncancellable(BoundTensors binding)
    {
        try
        {
            session.RunWithBinding(uncancellable, binding.IoBinding);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw OrtErrors.Translate(e, Name);
        }
    }

    private T Execute<T>(CancellationToken cancellationToken, Func<Ort.RunOptions, T> run)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled)
        {
            try
            {
                return run(uncancellable);
            }
            catch (Ort.OnnxRuntimeException e)
            {
                throw OrtErrors.Translate(e, Name);
            }
        }

        // Run options of its own, so terminating this run stops no other.
        using var runOptions = new Ort.RunOptions();
        using var registration = cancellationToken.UnsafeRegister(static state => ((Ort.RunOptions)state!).Terminate = true, runOptions);
        try
        {
            return run(runOptions);
        }
        catch (Ort.OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Run of model '{Name}' was cancelled.", OrtErrors.Translate(e, Name), cancellationToken);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw OrtErrors.Translate(e, Name);
        }
    }

    private void CheckInputs(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != Inputs.Count)
        {
            throw new ArgumentException($"Model '{Name}' takes {Inputs.Count} input(s) ({string.Join("; ", Inputs)}); {inputs.Count} were given.", nameof(inputs));
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            var expected = Inputs[i];
            var actual = inputs[i];
            var shapeFits = actual.Shape.Length == expected.Shape.Length;
            for (var d = 0; shapeFits && d < expected.Shape.Length; d++)
            {
                shapeFits = expected.Shape[d] < 0 || expected.Shape[d] == actual.Shape[d];
            }

            if (actual.ElementType != expected.ElementType || !shapeFits)
            {
                throw new ArgumentException(
                    $"Model '{Name}' input {expected} does not accept a {actual.ElementType} tensor of shape [{string.Join(", ", actual.Shape.ToArray())}].", nameof(inputs));
            }
        }
    }

    private static TensorInfo Describe(string name, Ort.NodeMetadata metadata)
    {
        if (!metadata.IsTensor || metadata.OnnxValueType != Ort.OnnxValueType.ONNX_TYPE_TENSOR)
        {
            return new TensorInfo(name, TensorElementType.Undefined, [], [], IsTensor: false);
        }

        var symbolic = metadata.SymbolicDimensions.Select(s => string.IsNullOrEmpty(s) ? null : s).ToArray();
        return new TensorInfo(name, (TensorElementType)metadata.ElementDataType, metadata.Dimensions.Select(d => (long)d).ToArray(), symbolic);
    }

    private volatile bool disposed;

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Interlocked.Exchange(ref idleBinding, null)?.Dispose();
        session.Dispose();
        uncancellable.Dispose();
    }

    /// <summary>An I/O binding and the tensors it is bound to, so binding the same tensors again costs nothing.</summary>
    private sealed class BoundTensors(Ort.OrtIoBinding binding) : IDisposable
    {
        private Tensor[] inputs = [];
        private Tensor[] outputs = [];

        public Ort.OrtIoBinding IoBinding { get; } = binding;

        public void BindTo(string[] inputNames, IReadOnlyList<Tensor> newInputs, string[] outputNames, IReadOnlyList<Tensor> newOutputs)
        {
            if (!Same(inputs, newInputs))
            {
                IoBinding.ClearBoundInputs();
                inputs = [.. newInputs];
                for (var i = 0; i < inputs.Length; i++)
                {
                    IoBinding.BindInput(inputNames[i], inputs[i].OrtValue);
                }
            }

            if (!Same(outputs, newOutputs))
            {
                IoBinding.ClearBoundOutputs();
                outputs = [.. newOutputs];
                for (var i = 0; i < outputs.Length; i++)
                {
                    IoBinding.BindOutput(outputNames[i], outputs[i].OrtValue);
                }
            }
        }

        // Same tensor objects, still alive: their native values (and so the bound memory) are the ones bound.
        private static bool Same(Tensor[] bound, IReadOnlyList<Tensor> wanted)
        {
            if (bound.Length != wanted.Count)
            {
                return false;
            }

            for (var i = 0; i < bound.Length; i++)
            {
                if (!ReferenceEquals(bound[i], wanted[i]) || bound[i].IsDisposed)
                {
                    return false;
                }
            }

            return true;
        }

        public void Dispose() => IoBinding.Dispose();
    }
}
