using System.Runtime.InteropServices;

namespace QualityHub.Inference.Native;

/// <summary>
/// Loads the ONNX Runtime native library (libonnxruntime.so.1, copied beside the app from the npm package
/// onnxruntime-node by the build) and reaches its C API through OrtGetApiBase.
/// </summary>
internal static unsafe class OrtLibrary
{
    /// <summary>The OrtApi version this binding is written against (ORT 1.23+; the shipped library is 1.30.0).</summary>
    public const uint ApiVersion = 23;

    public const string FileName = "libonnxruntime.so.1";

    private static readonly Lazy<LoadResult> Loaded = new(() => Load(DefaultPath));

    /// <summary>The process's ONNX Runtime, loaded on first use, or the reason it could not be loaded.</summary>
    public static LoadResult Result => Loaded.Value;

    /// <summary>QUALITYHUB_ONNXRUNTIME_PATH when set, else the library beside the app.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("QUALITYHUB_ONNXRUNTIME_PATH") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, FileName);

    /// <summary>Loads the library at <paramref name="path"/> and asks it for the OrtApi table this binding needs.</summary>
    internal static LoadResult Load(string path)
    {
        if (!File.Exists(path))
        {
            return LoadResult.Failure(path, $"{FileName} was not found at {path}; build the solution (it copies the library from node_modules/onnxruntime-node) or set QUALITYHUB_ONNXRUNTIME_PATH.");
        }

        try
        {
            var handle = NativeLibrary.Load(path);
            var getApiBase = (delegate* unmanaged<OrtApiBase*>)NativeLibrary.GetExport(handle, "OrtGetApiBase");
            var apiBase = getApiBase();
            var version = Marshal.PtrToStringUTF8((nint)apiBase->GetVersionString()) ?? "unknown";
            var api = apiBase->GetApi(ApiVersion);
            if (api == null)
            {
                return LoadResult.Failure(path, $"ONNX Runtime {version} at {path} does not provide C API version {ApiVersion}; QualityHub needs ORT 1.23 or newer.");
            }

            return new LoadResult(path, version, (nint)api, null);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            return LoadResult.Failure(path, $"ONNX Runtime at {path} could not be loaded: {e.Message}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OrtApiBase
    {
        public delegate* unmanaged<uint, void*> GetApi;
        public delegate* unmanaged<byte*> GetVersionString;
    }

    /// <summary>Outcome of loading the library: the OrtApi table, or an error saying why not.</summary>
    internal sealed record LoadResult(string Path, string? Version, nint Api, string? Error)
    {
        public bool IsLoaded => Error is null;

        public static LoadResult Failure(string path, string error) => new(path, null, 0, error);
    }
}
