using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace QualityHub.Inference.Native;

/// <summary>
/// The process's one OrtEnv, created on first use, whose log goes to an ILogger (category "OnnxRuntime").
/// ORT allows one environment per process; it lives until the process ends.
/// </summary>
internal static unsafe class OrtEnvironment
{
    private static readonly Lazy<OrtEnvHandle> Env = new(Create);
    private static readonly Lazy<OrtMemoryInfoHandle> Cpu = new(() => new OrtMemoryInfoHandle(OrtApi.CreateCpuMemoryInfo()));
    private static volatile ILogger logger = NullLogger.Instance;

    public static nint Handle => Env.Value.DangerousGetHandle();

    /// <summary>CPU memory info for tensors over managed memory.</summary>
    public static nint CpuMemory => Cpu.Value.DangerousGetHandle();

    /// <summary>Where ORT's own log lines go from now on.</summary>
    public static void UseLogger(ILogger target) => logger = target;

    private static OrtEnvHandle Create()
    {
        var id = "QualityHub"u8;
        fixed (byte* logId = id)
        {
            // Warning and above: ORT's info level narrates every session creation.
            return new OrtEnvHandle(OrtApi.CreateEnvWithCustomLogger(&Log, level: 2, logId));
        }
    }

    [UnmanagedCallersOnly]
    private static void Log(nint param, int severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        try
        {
            var level = severity switch
            {
                0 => LogLevel.Trace,
                1 => LogLevel.Information,
                2 => LogLevel.Warning,
                3 => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            var target = logger;
            if (target.IsEnabled(level))
            {
                target.Log(level, "[{Category}] {Message}", Marshal.PtrToStringUTF8((nint)category), Marshal.PtrToStringUTF8((nint)message));
            }
        }
        catch
        {
            // An exception must never unwind into native code.
        }
    }
}
