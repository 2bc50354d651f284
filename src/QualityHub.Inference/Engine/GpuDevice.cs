using System.Globalization;
using System.Runtime.InteropServices;

namespace QualityHub.Inference.Engine;

/// <summary>A GPU as NVIDIA's management library (NVML, libnvidia-ml.so.1, part of the driver) describes it now.</summary>
public sealed record GpuDevice(int Index, string Name, long MemoryUsedBytes, long MemoryTotalBytes)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} (device {Index}), {MemoryUsedBytes / 1048576.0:N0} of {MemoryTotalBytes / 1048576.0:N0} MiB used");

    /// <summary>The device with CUDA index <paramref name="index"/>, or null where there is no NVIDIA driver or no such device.</summary>
    public static GpuDevice? TryDescribe(int index) => Nvml.TryDescribe(index);

    private static unsafe class Nvml
    {
        private static readonly Lazy<nint> Library = new(() => NativeLibrary.TryLoad("libnvidia-ml.so.1", out var handle) ? handle : 0);
        private static readonly Lock Sync = new();
        private static bool initialised;

        public static GpuDevice? TryDescribe(int index)
        {
            var library = Library.Value;
            if (library == 0)
            {
                return null;
            }

            try
            {
                lock (Sync)
                {
                    if (!initialised)
                    {
                        var init = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "nvmlInit_v2");
                        if (init() != 0)
                        {
                            return null;
                        }

                        initialised = true;
                    }
                }

                var byIndex = (delegate* unmanaged<uint, nint*, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetHandleByIndex_v2");
                var getName = (delegate* unmanaged<nint, byte*, uint, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetName");
                var getMemory = (delegate* unmanaged<nint, MemoryInfo*, int>)NativeLibrary.GetExport(library, "nvmlDeviceGetMemoryInfo");
                nint device;
                if (byIndex((uint)index, &device) != 0)
                {
                    return null;
                }

                var name = stackalloc byte[96];
                MemoryInfo memory;
                if (getName(device, name, 96) != 0 || getMemory(device, &memory) != 0)
                {
                    return null;
                }

                return new GpuDevice(index, Marshal.PtrToStringUTF8((nint)name) ?? "GPU", (long)memory.Used, (long)memory.Total);
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }

        // nvmlMemory_t: total, free, used, in bytes.
        [StructLayout(LayoutKind.Sequential)]
        private struct MemoryInfo
        {
            public ulong Total;
            public ulong Free;
            public ulong Used;
        }
    }
}
