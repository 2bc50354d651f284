namespace QualityHub.Inference.Engine;

/// <summary>This machine's processor as the engine panel and workers name it: "CPU: MODEL, N cores".</summary>
public static class CpuDevice
{
    private static readonly Lazy<string> Name = new(() =>
    {
        const string cpuInfo = "/proc/cpuinfo";
        var model = File.Exists(cpuInfo)
            ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"CPU: {model ?? "unknown model"}, {Environment.ProcessorCount} cores";
    });

    public static string Describe() => Name.Value;
}
