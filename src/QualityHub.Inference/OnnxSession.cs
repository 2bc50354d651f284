using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityHub.Inference.Native;

namespace QualityHub.Inference;

/// <summary>
/// One loaded ONNX model. Thread-safe for Run (ORT allows concurrent runs on a session). Reports which
/// execution provider actually runs it and, when CUDA was asked for but could not be used, why.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtSessionHandle session;
    // Addresses of NUL-terminated UTF-8 names in arrays on the pinned object heap: they never move, and they
    // live as long as this object, so a Run racing Dispose can never read freed memory.
    private readonly nint[] inputNames;
    private readonly nint[] outputNames;
    private readonly List<byte[]> nameStorage = [];

    private OnnxSession(string name, OrtSessionHandle session, ExecutionProvider provider, string? fallbackReason)
    {
        Name = name;
        this.session = session;
        Provider = provider;
        ProviderFallbackReason = fallbackReason;
        var handle = session.DangerousGetHandle();
        Inputs = ReadInfos(handle, input: true);
        Outputs = ReadInfos(handle, input: false);
        Metadata = ReadMetadata(handle);
        inputNames = Inputs.Select(i => PinnedUtf8(i.Name)).ToArray();
        outputNames = Outputs.Select(o => PinnedUtf8(o.Name)).ToArray();
    }

    /// <summary>What the session is called in messages: usually the model version or file name.</summary>
    public string Name { get; }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    public ModelMetadata Metadata { get; }

    public ExecutionProvider Provider { get; }

    /// <summary>Why CUDA is not running this session although it was asked for; null otherwise.</summary>
    public string? ProviderFallbackReason { get; }

    /// <summary>Loads a model file. Every failure is an <see cref="OnnxRuntimeException"/> naming the model (<paramref name="name"/>, or the file name).</summary>
    public static OnnxSession Load(string path, SessionSettings settings, ILogger? logger = null, string? name = null)
    {
        name ??= Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile, $"no model file at {path}", name);
        }

        var utf8 = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        return Create(name, settings, logger, options =>
        {
            fixed (byte* p = utf8)
            {
                return OrtApi.CreateSession(OrtEnvironment.Handle, p, options);
            }
        });
    }

    /// <summary>Loads a model from bytes (ORT copies what it needs).</summary>
    public static OnnxSession Load(ReadOnlySpan<byte> model, string name, SessionSettings settings, ILogger? logger = null)
    {
        if (model.IsEmpty)
        {
            throw new OnnxRuntimeException(OrtErrorCode.InvalidProtobuf, "the model is empty (0 bytes)", name);
        }

        fixed (byte* p = model)
        {
            var data = p;
            var length = (nuint)model.Length;
            return Create(name, settings, logger, options => OrtApi.CreateSessionFromArray(OrtEnvironment.Handle, data, length, options));
        }
    }

    private static OnnxSession Create(string name, SessionSettings settings, ILogger? logger, Func<nint, nint> createSession)
    {
        logger ??= NullLogger.Instance;
        string? fallback = null;
        try
        {
            // The environment (and ORT's default logger) must exist before any provider options are created.
            _ = OrtEnvironment.Handle;
            if (settings.Provider != ProviderPreference.Cpu)
            {
                try
                {
                    using var cudaOptions = CreateOptions(settings, withCuda: true);
                    return new OnnxSession(name, new OrtSessionHandle(createSession(cudaOptions.DangerousGetHandle())), ExecutionProvider.Cuda, null);
                }
                catch (OnnxRuntimeException e) when (e.Code != OrtErrorCode.LibraryUnavailable && !IsModelError(e))
                {
                    fallback = $"CUDA unavailable: {e.OrtMessage}";
                    logger.LogWarning("Model {Model}: {Reason}; running on CPU", name, fallback);
                }
            }

            using var cpuOptions = CreateOptions(settings, withCuda: false);
            return new OnnxSession(name, new OrtSessionHandle(createSession(cpuOptions.DangerousGetHandle())), ExecutionProvider.Cpu, fallback);
        }
        catch (OnnxRuntimeException e) when (e.Model is null)
        {
            throw e.ForModel(name);
        }
    }

    // The model itself is broken: trying CPU instead of CUDA will not help, and the error should say so.
    private static bool IsModelError(OnnxRuntimeException e) =>
        e.Code is OrtErrorCode.InvalidProtobuf or OrtErrorCode.InvalidGraph or OrtErrorCode.NoSuchFile or OrtErrorCode.NoModel;

    private static OrtSessionOptionsHandle CreateOptions(SessionSettings settings, bool withCuda)
    {
        var options = new OrtSessionOptionsHandle(OrtApi.CreateSessionOptions());
        try
        {
            var handle = options.DangerousGetHandle();
            OrtApi.SetSessionGraphOptimizationLevel(handle, (int)settings.OptimizationLevel);
            OrtApi.SetSessionExecutionMode(handle, (int)settings.ExecutionMode);
            OrtApi.SetIntraOpNumThreads(handle, settings.IntraOpThreads);
            OrtApi.SetInterOpNumThreads(handle, settings.InterOpThreads);
            if (!settings.AllowSpinning)
            {
                OrtApi.AddSessionConfigEntry(handle, "session.intra_op.allow_spinning", "0");
                OrtApi.AddSessionConfigEntry(handle, "session.inter_op.allow_spinning", "0");
            }
            if (withCuda)
            {
                AppendCuda(handle, settings);
            }

            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    // The CUDA provider through the V2 options struct, as the C API documents: create, update by key, append.
    private static void AppendCuda(nint sessionOptions, SessionSettings settings)
    {
        using var cuda = new OrtCudaProviderOptionsHandle(OrtApi.CreateCudaProviderOptions());
        var entries = new List<(string Key, string Value)> { ("device_id", settings.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (settings.CudaMemoryLimitBytes > 0)
        {
            entries.Add(("gpu_mem_limit", settings.CudaMemoryLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var keys = entries.Select(e => Marshal.StringToCoTaskMemUTF8(e.Key)).ToArray();
        var values = entries.Select(e => Marshal.StringToCoTaskMemUTF8(e.Value)).ToArray();
        try
        {
            fixed (nint* k = keys)
            fixed (nint* v = values)
            {
                OrtApi.UpdateCudaProviderOptions(cuda.DangerousGetHandle(), (byte**)k, (byte**)v, (nuint)entries.Count);
            }

            OrtApi.SessionOptionsAppendCudaV2(sessionOptions, cuda.DangerousGetHandle());
        }
        finally
        {
            foreach (var p in keys.Concat(values))
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>Runs the model; outputs are allocated by ORT and copied into new managed tensors.</summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken = default)
    {
        CheckInputs(inputs);
        var outputs = new nint[outputNames.Length];
        try
        {
            RunCore(inputs, outputs, cancellationToken);
            var results = new Tensor[outputs.Length];
            for (var i = 0; i < outputs.Length; i++)
            {
                results[i] = Tensor.CopyFrom(outputs[i]);
            }

            return results;
        }
        finally
        {
            foreach (var value in outputs)
            {
                if (value != 0)
                {
                    OrtApi.Release(OrtApi.ReleaseValueIndex, value);
                }
            }
        }
    }

    /// <summary>
    /// Runs the model writing into pre-allocated outputs of the exact output shapes (one per model output, in
    /// order). Allocates nothing managed in steady state.
    /// </summary>
    public void Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, CancellationToken cancellationToken = default)
    {
        CheckInputs(inputs);
        if (outputs.Count != outputNames.Length)
        {
            throw new ArgumentException($"Model '{Name}' has {outputNames.Length} output(s); {outputs.Count} were given.", nameof(outputs));
        }

        Span<nint> values = outputs.Count <= 16 ? stackalloc nint[outputs.Count] : new nint[outputs.Count];
        for (var i = 0; i < outputs.Count; i++)
        {
            values[i] = outputs[i].NativeValue;
        }

        RunCore(inputs, values, cancellationToken);
    }

    private void RunCore(IReadOnlyList<Tensor> inputs, Span<nint> outputs, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(session.IsClosed, this);
        cancellationToken.ThrowIfCancellationRequested();
        Span<nint> inputValues = inputs.Count <= 16 ? stackalloc nint[inputs.Count] : new nint[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            inputValues[i] = inputs[i].NativeValue;
        }

        var addRef = false;
        session.DangerousAddRef(ref addRef);
        OrtRunOptionsHandle? runOptions = null;
        try
        {
            // Run options (and their native allocation) only when the caller can cancel.
            CancellationTokenRegistration registration = default;
            if (cancellationToken.CanBeCanceled)
            {
                runOptions = new OrtRunOptionsHandle(OrtApi.CreateRunOptions());
                var options = runOptions;
                registration = cancellationToken.UnsafeRegister(static state => OrtApi.RunOptionsSetTerminate(((OrtRunOptionsHandle)state!).DangerousGetHandle()), options);
            }

            using (registration)
            {
                fixed (nint* inNames = inputNames)
                fixed (nint* outNames = outputNames)
                fixed (nint* inValues = inputValues)
                fixed (nint* outValues = outputs)
                {
                    OrtApi.Run(session.DangerousGetHandle(), runOptions?.DangerousGetHandle() ?? 0, (byte**)inNames, inValues, (nuint)inputs.Count, (byte**)outNames, (nuint)outputs.Length, outValues);
                }
            }
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Run of model '{Name}' was cancelled.", e, cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            throw e.ForModel(Name);
        }
        finally
        {
            runOptions?.Dispose();
            if (addRef)
            {
                session.DangerousRelease();
            }
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

    private static TensorInfo[] ReadInfos(nint session, bool input)
    {
        var count = (int)(input ? OrtApi.SessionGetInputCount(session) : OrtApi.SessionGetOutputCount(session));
        var infos = new TensorInfo[count];
        for (var i = 0; i < count; i++)
        {
            var name = OrtApi.SessionGetName(session, (nuint)i, input);
            using var typeInfo = new OrtTypeInfoHandle(OrtApi.SessionGetTypeInfo(session, (nuint)i, input));
            // ONNX_TYPE_TENSOR = 1; sequences and maps have no tensor info.
            if (OrtApi.GetOnnxTypeFromTypeInfo(typeInfo.DangerousGetHandle()) != 1)
            {
                infos[i] = new TensorInfo(name, TensorElementType.Undefined, [], [], IsTensor: false);
                continue;
            }

            var tensorInfo = OrtApi.CastTypeInfoToTensorInfo(typeInfo.DangerousGetHandle());
            var rank = OrtApi.GetDimensionsCount(tensorInfo);
            var dims = new long[(int)rank];
            var symbols = new nint[(int)rank];
            fixed (long* d = dims)
            fixed (nint* s = symbols)
            {
                OrtApi.GetDimensions(tensorInfo, d, rank);
                OrtApi.GetSymbolicDimensions(tensorInfo, (byte**)s, rank);
            }

            var symbolic = symbols.Select(p => p == 0 ? null : Marshal.PtrToStringUTF8(p)).Select(s => string.IsNullOrEmpty(s) ? null : s).ToArray();
            infos[i] = new TensorInfo(name, OrtApi.GetTensorElementType(tensorInfo), dims, symbolic);
        }

        return infos;
    }

    private static ModelMetadata ReadMetadata(nint session)
    {
        using var metadata = new OrtModelMetadataHandle(OrtApi.SessionGetModelMetadata(session));
        var handle = metadata.DangerousGetHandle();
        return new ModelMetadata(
            OrtApi.ModelMetadataString(handle, ModelMetadataField.ProducerName),
            OrtApi.ModelMetadataString(handle, ModelMetadataField.GraphName),
            OrtApi.ModelMetadataString(handle, ModelMetadataField.Description),
            OrtApi.ModelMetadataGetVersion(handle),
            OrtApi.ModelMetadataCustomMap(handle));
    }

    private nint PinnedUtf8(string text)
    {
        var bytes = GC.AllocateArray<byte>(System.Text.Encoding.UTF8.GetByteCount(text) + 1, pinned: true);
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        nameStorage.Add(bytes);
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(bytes));
    }

    /// <summary>Execution providers this ONNX Runtime build was compiled with (not necessarily usable here).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtApi.GetAvailableProviders();

    public void Dispose() => session.Dispose();
}
