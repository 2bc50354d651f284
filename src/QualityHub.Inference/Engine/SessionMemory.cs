using System.Diagnostics;
using System.Runtime.InteropServices;

namespace QualityHub.Inference.Engine;

/// <summary>
/// The memory one loaded session of a model takes once it has answered an input: the median over
/// <see cref="Loads"/> separate loads, with the lowest and highest. <see cref="Source"/> says what was counted —
/// the GPU's used memory (NVML) on CUDA, the process's native heap in use (glibc's malloc) on CPU, or the resident set
/// where neither can be read.
/// </summary>
public sealed record SessionMemory(
    long Bytes, long LowBytes, long HighBytes, int Loads, string Source, ExecutionProvider Provider, string Device, long DeviceBytes);

/// <summary>Reads how much memory the process (or the GPU) uses now, as precisely as the platform allows.</summary>
internal static unsafe class MemoryGauge
{
    public const string NativeHeap = "native heap in use (malloc)";
    public const string ResidentSet = "resident set";
    public const string GpuMemory = "GPU memory in use (NVML)";

    // glibc ≥ 2.33: mallinfo2 sums every arena, in size_t fields (the old mallinfo wraps at 2 GiB).
    private static readonly delegate* unmanaged<MallInfo2> Mallinfo2 = Find();

    private static delegate* unmanaged<MallInfo2> Find() =>
        NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "mallinfo2", out var export)
            ? (delegate* unmanaged<MallInfo2>)export
            : null;

    /// <summary>Bytes in use as <paramref name="source"/> counts them; managed garbage is collected first so it does not drift the reading.</summary>
    public static long Read(out string source)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (Mallinfo2 is not null)
        {
            var info = Mallinfo2();
            source = NativeHeap;
            return (long)(info.InUseArenaBytes + info.MappedBytes);
        }

        using var process = Process.GetCurrentProcess();
        source = ResidentSet;
        return process.WorkingSet64;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo2
    {
        private readonly nuint arena;
        private readonly nuint ordblks;
        private readonly nuint smblks;
        private readonly nuint hblks;
        public readonly nuint MappedBytes; // hblkhd
        private readonly nuint usmblks;
        private readonly nuint fsmblks;
        public readonly nuint InUseArenaBytes; // uordblks
        private readonly nuint fordblks;
        private readonly nuint keepcost;
    }
}
