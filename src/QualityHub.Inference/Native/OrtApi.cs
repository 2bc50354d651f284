using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QualityHub.Inference.Native;

/// <summary>
/// The OrtApi function table (C API version 23), called through function pointers. Indices are the members'
/// positions in <c>struct OrtApi</c> of onnxruntime_c_api.h; the table is append-only across ORT versions.
/// Every function returning OrtStatus* goes through <see cref="Check"/>, which turns a failure into an
/// <see cref="OnnxRuntimeException"/> with ORT's code and message and releases the status.
/// </summary>
internal static unsafe class OrtApi
{
    private const int GetErrorCodeIndex = 1;
    private const int GetErrorMessageIndex = 2;
    private const int CreateEnvWithCustomLoggerIndex = 4;
    private const int CreateSessionIndex = 7;
    private const int CreateSessionFromArrayIndex = 8;
    private const int RunIndex = 9;
    private const int CreateSessionOptionsIndex = 10;
    private const int SetSessionExecutionModeIndex = 13;
    private const int SetSessionLogSeverityLevelIndex = 22;
    private const int SetSessionGraphOptimizationLevelIndex = 23;
    private const int SetIntraOpNumThreadsIndex = 24;
    private const int AddSessionConfigEntryIndex = 130;
    private const int SetInterOpNumThreadsIndex = 25;
    private const int SessionGetInputCountIndex = 30;
    private const int SessionGetOutputCountIndex = 31;
    private const int SessionGetInputTypeInfoIndex = 33;
    private const int SessionGetOutputTypeInfoIndex = 34;
    private const int SessionGetInputNameIndex = 36;
    private const int SessionGetOutputNameIndex = 37;
    private const int CreateRunOptionsIndex = 39;
    private const int RunOptionsSetTerminateIndex = 46;
    private const int CreateTensorWithDataAsOrtValueIndex = 49;
    private const int IsTensorIndex = 50;
    private const int GetTensorMutableDataIndex = 51;
    private const int CastTypeInfoToTensorInfoIndex = 55;
    private const int GetOnnxTypeFromTypeInfoIndex = 56;
    private const int GetTensorElementTypeIndex = 60;
    private const int GetDimensionsCountIndex = 61;
    private const int GetDimensionsIndex = 62;
    private const int GetSymbolicDimensionsIndex = 63;
    private const int GetTensorTypeAndShapeIndex = 65;
    private const int CreateCpuMemoryInfoIndex = 69;
    private const int AllocatorFreeIndex = 76;
    private const int GetAllocatorWithDefaultOptionsIndex = 78;
    internal const int ReleaseEnvIndex = 92;
    private const int ReleaseStatusIndex = 93;
    internal const int ReleaseMemoryInfoIndex = 94;
    internal const int ReleaseSessionIndex = 95;
    internal const int ReleaseValueIndex = 96;
    internal const int ReleaseRunOptionsIndex = 97;
    internal const int ReleaseTypeInfoIndex = 98;
    internal const int ReleaseTensorTypeAndShapeInfoIndex = 99;
    internal const int ReleaseSessionOptionsIndex = 100;
    private const int SessionGetModelMetadataIndex = 111;
    private const int ModelMetadataGetProducerNameIndex = 112;
    private const int ModelMetadataGetGraphNameIndex = 113;
    private const int ModelMetadataGetDescriptionIndex = 115;
    private const int ModelMetadataLookupCustomMetadataMapIndex = 116;
    private const int ModelMetadataGetVersionIndex = 117;
    internal const int ReleaseModelMetadataIndex = 118;
    private const int ModelMetadataGetCustomMetadataMapKeysIndex = 123;
    private const int GetAvailableProvidersIndex = 125;
    private const int ReleaseAvailableProvidersIndex = 126;
    private const int SessionOptionsAppendExecutionProviderCudaV2Index = 204;
    private const int CreateCudaProviderOptionsIndex = 205;
    private const int UpdateCudaProviderOptionsIndex = 206;
    internal const int ReleaseCudaProviderOptionsIndex = 208;

    private static nint* Table
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var api = OrtLibrary.Result.Api;
            return api != 0 ? (nint*)api : throw Unavailable();
        }
    }

    internal static nint Entry(int index) => Table[index];

    private static OnnxRuntimeException Unavailable() =>
        new(OrtErrorCode.LibraryUnavailable, OrtLibrary.Result.Error ?? "ONNX Runtime is not loaded.");

    /// <summary>Throws when <paramref name="status"/> is an error; a null status is success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(nint status)
    {
        if (status != 0)
        {
            Throw(status);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(nint status)
    {
        var table = Table;
        var code = ((delegate* unmanaged<nint, int>)table[GetErrorCodeIndex])(status);
        var message = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<nint, byte*>)table[GetErrorMessageIndex])(status)) ?? "";
        ((delegate* unmanaged<nint, void>)table[ReleaseStatusIndex])(status);
        throw new OnnxRuntimeException((OrtErrorCode)code, message);
    }

    public static void Release(int releaseIndex, nint handle) => ((delegate* unmanaged<nint, void>)Table[releaseIndex])(handle);

    public static nint CreateEnvWithCustomLogger(delegate* unmanaged<nint, int, byte*, byte*, byte*, byte*, void> logger, int level, byte* logId)
    {
        nint env;
        Check(((delegate* unmanaged<delegate* unmanaged<nint, int, byte*, byte*, byte*, byte*, void>, nint, int, byte*, nint*, nint>)Table[CreateEnvWithCustomLoggerIndex])(logger, 0, level, logId, &env));
        return env;
    }

    public static nint CreateSession(nint env, byte* path, nint options)
    {
        nint session;
        Check(((delegate* unmanaged<nint, byte*, nint, nint*, nint>)Table[CreateSessionIndex])(env, path, options, &session));
        return session;
    }

    public static nint CreateSessionFromArray(nint env, void* data, nuint length, nint options)
    {
        nint session;
        Check(((delegate* unmanaged<nint, void*, nuint, nint, nint*, nint>)Table[CreateSessionFromArrayIndex])(env, data, length, options, &session));
        return session;
    }

    public static void Run(nint session, nint runOptions, byte** inputNames, nint* inputs, nuint inputCount, byte** outputNames, nuint outputCount, nint* outputs) =>
        Check(((delegate* unmanaged<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)Table[RunIndex])(session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs));

    public static nint CreateSessionOptions()
    {
        nint options;
        Check(((delegate* unmanaged<nint*, nint>)Table[CreateSessionOptionsIndex])(&options));
        return options;
    }

    public static void SetSessionExecutionMode(nint options, int mode) =>
        Check(((delegate* unmanaged<nint, int, nint>)Table[SetSessionExecutionModeIndex])(options, mode));

    public static void SetSessionLogSeverityLevel(nint options, int level) =>
        Check(((delegate* unmanaged<nint, int, nint>)Table[SetSessionLogSeverityLevelIndex])(options, level));

    public static void SetSessionGraphOptimizationLevel(nint options, int level) =>
        Check(((delegate* unmanaged<nint, int, nint>)Table[SetSessionGraphOptimizationLevelIndex])(options, level));

    public static void SetIntraOpNumThreads(nint options, int threads) =>
        Check(((delegate* unmanaged<nint, int, nint>)Table[SetIntraOpNumThreadsIndex])(options, threads));

    /// <summary>A session option by its key (onnxruntime_session_options_config_keys.h), e.g. session.intra_op.allow_spinning.</summary>
    public static void AddSessionConfigEntry(nint options, string key, string value)
    {
        var keyBytes = System.Text.Encoding.UTF8.GetBytes(key + "\0");
        var valueBytes = System.Text.Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* k = keyBytes)
        fixed (byte* v = valueBytes)
        {
            Check(((delegate* unmanaged<nint, byte*, byte*, nint>)Table[AddSessionConfigEntryIndex])(options, k, v));
        }
    }

    public static void SetInterOpNumThreads(nint options, int threads) =>
        Check(((delegate* unmanaged<nint, int, nint>)Table[SetInterOpNumThreadsIndex])(options, threads));

    public static nuint SessionGetInputCount(nint session)
    {
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Table[SessionGetInputCountIndex])(session, &count));
        return count;
    }

    public static nuint SessionGetOutputCount(nint session)
    {
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Table[SessionGetOutputCountIndex])(session, &count));
        return count;
    }

    public static nint SessionGetTypeInfo(nint session, nuint index, bool input)
    {
        nint typeInfo;
        Check(((delegate* unmanaged<nint, nuint, nint*, nint>)Table[input ? SessionGetInputTypeInfoIndex : SessionGetOutputTypeInfoIndex])(session, index, &typeInfo));
        return typeInfo;
    }

    public static string SessionGetName(nint session, nuint index, bool input)
    {
        var allocator = GetAllocatorWithDefaultOptions();
        byte* name;
        Check(((delegate* unmanaged<nint, nuint, nint, byte**, nint>)Table[input ? SessionGetInputNameIndex : SessionGetOutputNameIndex])(session, index, allocator, &name));
        return TakeString(allocator, name)!;
    }

    public static nint CreateRunOptions()
    {
        nint options;
        Check(((delegate* unmanaged<nint*, nint>)Table[CreateRunOptionsIndex])(&options));
        return options;
    }

    public static void RunOptionsSetTerminate(nint options) =>
        Check(((delegate* unmanaged<nint, nint>)Table[RunOptionsSetTerminateIndex])(options));

    public static nint CreateTensorWithData(nint memoryInfo, void* data, nuint byteLength, long* shape, nuint rank, TensorElementType type)
    {
        nint value;
        Check(((delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)Table[CreateTensorWithDataAsOrtValueIndex])(memoryInfo, data, byteLength, shape, rank, (int)type, &value));
        return value;
    }

    public static bool IsTensor(nint value)
    {
        int result;
        Check(((delegate* unmanaged<nint, int*, nint>)Table[IsTensorIndex])(value, &result));
        return result != 0;
    }

    public static void* GetTensorMutableData(nint value)
    {
        void* data;
        Check(((delegate* unmanaged<nint, void**, nint>)Table[GetTensorMutableDataIndex])(value, &data));
        return data;
    }

    /// <summary>The tensor part of a type info; owned by the type info, not to be released.</summary>
    public static nint CastTypeInfoToTensorInfo(nint typeInfo)
    {
        nint info;
        Check(((delegate* unmanaged<nint, nint*, nint>)Table[CastTypeInfoToTensorInfoIndex])(typeInfo, &info));
        return info;
    }

    public static int GetOnnxTypeFromTypeInfo(nint typeInfo)
    {
        int type;
        Check(((delegate* unmanaged<nint, int*, nint>)Table[GetOnnxTypeFromTypeInfoIndex])(typeInfo, &type));
        return type;
    }

    public static TensorElementType GetTensorElementType(nint info)
    {
        int type;
        Check(((delegate* unmanaged<nint, int*, nint>)Table[GetTensorElementTypeIndex])(info, &type));
        return (TensorElementType)type;
    }

    public static nuint GetDimensionsCount(nint info)
    {
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Table[GetDimensionsCountIndex])(info, &count));
        return count;
    }

    public static void GetDimensions(nint info, long* dims, nuint count) =>
        Check(((delegate* unmanaged<nint, long*, nuint, nint>)Table[GetDimensionsIndex])(info, dims, count));

    public static void GetSymbolicDimensions(nint info, byte** names, nuint count) =>
        Check(((delegate* unmanaged<nint, byte**, nuint, nint>)Table[GetSymbolicDimensionsIndex])(info, names, count));

    /// <summary>Shape and type of a value; release with ReleaseTensorTypeAndShapeInfo.</summary>
    public static nint GetTensorTypeAndShape(nint value)
    {
        nint info;
        Check(((delegate* unmanaged<nint, nint*, nint>)Table[GetTensorTypeAndShapeIndex])(value, &info));
        return info;
    }

    public static nint CreateCpuMemoryInfo()
    {
        nint info;
        // OrtArenaAllocator = 1, OrtMemTypeDefault = 0.
        Check(((delegate* unmanaged<int, int, nint*, nint>)Table[CreateCpuMemoryInfoIndex])(1, 0, &info));
        return info;
    }

    /// <summary>ORT's default CPU allocator; owned by ORT, never released.</summary>
    public static nint GetAllocatorWithDefaultOptions()
    {
        nint allocator;
        Check(((delegate* unmanaged<nint*, nint>)Table[GetAllocatorWithDefaultOptionsIndex])(&allocator));
        return allocator;
    }

    /// <summary>Copies a string ORT allocated with <paramref name="allocator"/> and frees ORT's copy.</summary>
    public static string? TakeString(nint allocator, byte* value)
    {
        if (value == null)
        {
            return null;
        }

        var text = Marshal.PtrToStringUTF8((nint)value);
        Check(((delegate* unmanaged<nint, void*, nint>)Table[AllocatorFreeIndex])(allocator, value));
        return text;
    }

    public static nint SessionGetModelMetadata(nint session)
    {
        nint metadata;
        Check(((delegate* unmanaged<nint, nint*, nint>)Table[SessionGetModelMetadataIndex])(session, &metadata));
        return metadata;
    }

    public static string ModelMetadataString(nint metadata, ModelMetadataField field)
    {
        var index = field switch
        {
            ModelMetadataField.ProducerName => ModelMetadataGetProducerNameIndex,
            ModelMetadataField.GraphName => ModelMetadataGetGraphNameIndex,
            _ => ModelMetadataGetDescriptionIndex,
        };
        var allocator = GetAllocatorWithDefaultOptions();
        byte* value;
        Check(((delegate* unmanaged<nint, nint, byte**, nint>)Table[index])(metadata, allocator, &value));
        return TakeString(allocator, value) ?? "";
    }

    public static long ModelMetadataGetVersion(nint metadata)
    {
        long version;
        Check(((delegate* unmanaged<nint, long*, nint>)Table[ModelMetadataGetVersionIndex])(metadata, &version));
        return version;
    }

    public static Dictionary<string, string> ModelMetadataCustomMap(nint metadata)
    {
        var allocator = GetAllocatorWithDefaultOptions();
        byte** keys;
        long count;
        Check(((delegate* unmanaged<nint, nint, byte***, long*, nint>)Table[ModelMetadataGetCustomMetadataMapKeysIndex])(metadata, allocator, &keys, &count));
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys == null)
        {
            return map;
        }

        for (var i = 0; i < count; i++)
        {
            byte* value;
            Check(((delegate* unmanaged<nint, nint, byte*, byte**, nint>)Table[ModelMetadataLookupCustomMetadataMapIndex])(metadata, allocator, keys[i], &value));
            var key = TakeString(allocator, keys[i])!;
            map[key] = TakeString(allocator, value) ?? "";
        }

        Check(((delegate* unmanaged<nint, void*, nint>)Table[AllocatorFreeIndex])(allocator, keys));
        return map;
    }

    public static string[] GetAvailableProviders()
    {
        byte** names;
        int count;
        Check(((delegate* unmanaged<byte***, int*, nint>)Table[GetAvailableProvidersIndex])(&names, &count));
        var providers = new string[count];
        for (var i = 0; i < count; i++)
        {
            providers[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
        }

        Check(((delegate* unmanaged<byte**, int, nint>)Table[ReleaseAvailableProvidersIndex])(names, count));
        return providers;
    }

    public static nint CreateCudaProviderOptions()
    {
        nint options;
        Check(((delegate* unmanaged<nint*, nint>)Table[CreateCudaProviderOptionsIndex])(&options));
        return options;
    }

    public static void UpdateCudaProviderOptions(nint options, byte** keys, byte** values, nuint count) =>
        Check(((delegate* unmanaged<nint, byte**, byte**, nuint, nint>)Table[UpdateCudaProviderOptionsIndex])(options, keys, values, count));

    public static void SessionOptionsAppendCudaV2(nint sessionOptions, nint cudaOptions) =>
        Check(((delegate* unmanaged<nint, nint, nint>)Table[SessionOptionsAppendExecutionProviderCudaV2Index])(sessionOptions, cudaOptions));
}

/// <summary>String fields of OrtModelMetadata.</summary>
internal enum ModelMetadataField
{
    ProducerName,
    GraphName,
    Description,
}
