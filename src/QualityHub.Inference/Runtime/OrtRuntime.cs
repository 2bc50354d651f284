using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ort = Microsoft.ML.OnnxRuntime;

namespace QualityHub.Inference.Runtime;

/// <summary>
/// The process's one ONNX Runtime environment (Microsoft.ML.OnnxRuntime), created on first use with a log callback
/// that forwards ORT's own lines to an ILogger and lets a caller collect the errors ORT logs while it tries a
/// provider: ORT's exception then only says "Failed to load shared library", its log says which library is missing.
/// </summary>
internal static class OrtRuntime
{
    private static readonly Lazy<Loaded> Env = new(Create);

    // The delegate ORT holds on to; a static field keeps it from being collected.
    private static readonly Ort.DOrtLoggingFunction LogCallback = Log;

    private static volatile ILogger logger = NullLogger.Instance;

    [ThreadStatic]
    private static List<string>? capturedErrors;

    /// <summary>The environment, or the reason the native library could not be loaded.</summary>
    public static Loaded Current => Env.Value;

    /// <summary>Where ORT's own log lines go from now on.</summary>
    public static void UseLogger(ILogger target) => logger = target;

    /// <summary>The environment; throws <see cref="OnnxRuntimeException"/> (LibraryUnavailable) when ORT cannot be loaded.</summary>
    public static Ort.OrtEnv Require() =>
        Current.Env ?? throw new OnnxRuntimeException(OrtErrorCode.LibraryUnavailable, Current.Error ?? "ONNX Runtime is not available.");

    /// <summary>Runs <paramref name="action"/> and returns, with its result, the error lines ORT logged on this thread meanwhile.</summary>
    public static (T Result, IReadOnlyList<string> Errors) CaptureErrors<T>(Func<T> action, out Exception? failure)
    {
        var previous = capturedErrors;
        var errors = new List<string>();
        capturedErrors = errors;
        try
        {
            failure = null;
            return (action(), errors);
        }
        catch (Exception e)
        {
            failure = e;
            return (default!, errors);
        }
        finally
        {
            capturedErrors = previous;
        }
    }

    /// <summary>QUALITYHUB_ONNXRUNTIME_PATH: another libonnxruntime.so to run on (e.g. a build for another CUDA), instead of the package's.</summary>
    public static string? ConfiguredLibraryPath =>
        Environment.GetEnvironmentVariable("QUALITYHUB_ONNXRUNTIME_PATH") is { Length: > 0 } path ? path : null;

    private static Loaded Create()
    {
        try
        {
            if (ConfiguredLibraryPath is { } configured)
            {
                UseLibraryAt(configured);
            }

            var options = new Ort.EnvironmentCreationOptions
            {
                logId = "QualityHub",
                // Warning and above: ORT's info level narrates every session creation.
                logLevel = Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                loggingFunction = LogCallback,
            };
            Ort.OrtEnv env;
            try
            {
                env = Ort.OrtEnv.CreateInstanceWithOptions(ref options);
            }
            catch (Ort.OnnxRuntimeException e) when (e.Message.Contains("already exists", StringComparison.Ordinal))
            {
                // Another thread touched ORT's managed API first (a tensor's OrtValue, run options), which made the
                // process's one environment with ORT's defaults; it serves all the same, its log lines go to stderr.
                env = Ort.OrtEnv.Instance();
            }

            return new Loaded(env, env.GetVersionString(), NativeLibraryPath(), null);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException or Ort.OnnxRuntimeException)
        {
            var reason = e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message;
            var remedy = ConfiguredLibraryPath is { } configured
                ? $"QUALITYHUB_ONNXRUNTIME_PATH points at {configured}; point it at a libonnxruntime.so, or unset it to use the package's"
                : "it comes from the NuGet package Microsoft.ML.OnnxRuntime(.Gpu); build the solution again";
            return new Loaded(null, null, ConfiguredLibraryPath ?? "", $"ONNX Runtime could not be loaded: {reason} ({remedy}).");
        }
    }

    // The managed API imports "onnxruntime"; resolve that name to the configured file instead of the package's.
    private static void UseLibraryAt(string path)
    {
        Ort.OrtEnv.DisableDllImportResolver = true;
        System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(typeof(Ort.OrtEnv).Assembly, (name, _, _) =>
            name.Contains("onnxruntime", StringComparison.Ordinal) ? System.Runtime.InteropServices.NativeLibrary.Load(path) : IntPtr.Zero);
    }

    // Which libonnxruntime.so the process mapped: the package's, beside the app (runtimes/<rid>/native).
    private static string NativeLibraryPath()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return "";
        }

        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && line.AsSpan(slash).EndsWith("/libonnxruntime.so", StringComparison.Ordinal))
            {
                return line[slash..];
            }
        }

        return "";
    }

    private static void Log(IntPtr param, Ort.OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        try
        {
            if (severity >= Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR)
            {
                capturedErrors?.Add(message);
            }

            var level = severity switch
            {
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Trace,
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Information,
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            var target = logger;
            if (target.IsEnabled(level))
            {
                target.Log(level, "[{Category}] {Message}", category, message);
            }
        }
        catch
        {
            // An exception must never unwind into native code.
        }
    }

    /// <summary>The loaded environment and what it is, or the reason it is missing.</summary>
    internal sealed record Loaded(Ort.OrtEnv? Env, string? Version, string LibraryPath, string? Error);
}
