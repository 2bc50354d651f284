using System.Diagnostics;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Compare;

/// <summary>A loaded session as the engine panel shows it.</summary>
public sealed record SessionStatus(string Name, string Version, ExecutionProvider Provider, long SizeBytes, BatchMode BatchMode, int QueueDepth, long Items, double ItemsPerSecond);

/// <summary>
/// The engine at one moment: where it runs, what is loaded, how busy it is; with <c>Inference:Workers</c>, the workers
/// that run the models instead (their state, device and sessions), the portal's own engine then idle.
/// </summary>
public sealed record EngineStatus(
    string Provider, string Device, string? FallbackReason, IReadOnlyList<SessionStatus> Sessions, long BudgetBytes, long UsedBytes,
    long Evictions, int QueueDepth, double ItemsPerSecond, int ActiveCandidateRuns, string Runtime, IReadOnlyList<WorkerView> Workers);

/// <summary>
/// Reads the engine's counters and turns them into rates: items per second over the last few seconds, per session
/// and in all. Any reader (the engine panel, GET /api/engine) moves the window along.
/// </summary>
public sealed class EngineMonitor(InferenceEngine engine, ComparisonRunner comparisons, IServiceProvider services)
{
    private readonly WorkerPool? workers = services.GetService<WorkerPool>();

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private readonly Lock sync = new();
    private readonly Queue<(long At, Dictionary<string, long> Items)> history = new();

    public EngineStatus Current()
    {
        var snapshot = engine.Snapshot();
        var now = Stopwatch.GetTimestamp();
        var items = snapshot.Models.ToDictionary(m => m.Key, m => m.Items, StringComparer.Ordinal);
        (long At, Dictionary<string, long> Items) oldest;
        lock (sync)
        {
            history.Enqueue((now, items));
            while (history.Count > 2 && Stopwatch.GetElapsedTime(history.Peek().At, now) > Window)
            {
                history.Dequeue();
            }

            oldest = history.Peek();
        }

        var seconds = Stopwatch.GetElapsedTime(oldest.At, now).TotalSeconds;
        double Rate(string key, long current) =>
            seconds > 0 && oldest.Items.TryGetValue(key, out var before) && current >= before ? (current - before) / seconds : 0;

        var sessions = snapshot.Models
            .Select(m => new SessionStatus(m.DisplayName, m.DisplayName[(m.DisplayName.LastIndexOf('/') + 1)..], m.Provider, m.SizeBytes, m.BatchMode, m.QueueDepth, m.Items, Rate(m.Key, m.Items)))
            .ToList();
        var probe = engine.Provider;
        var provider = probe.Provider?.ToString().ToUpperInvariant() ?? "unavailable";
        var device = probe.Provider is ExecutionProvider.Cuda or ExecutionProvider.TensorRt
            ? probe.Gpu?.ToString() ?? $"CUDA device {engine.Options.CudaDeviceId}"
            : CpuDevice.Describe();
        return new EngineStatus(
            provider, device, probe.Reason, sessions, snapshot.BudgetBytes, snapshot.UsedBytes, snapshot.Evictions,
            sessions.Sum(s => s.QueueDepth), sessions.Sum(s => s.ItemsPerSecond), comparisons.ActiveRuns,
            $"ONNX Runtime {OnnxRuntimeInfo.Current.Version}", workers?.Views() ?? []);
    }
}
