using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Runtime;

namespace QualityHub.Inference.Engine;

/// <summary>
/// Serves models: one session per model (loaded on first use, cached under a memory budget with least-recently-
/// used eviction), a batching queue per session, a limit on runs in flight, cancellation, and per-request timing.
/// Every result says which execution provider ran it.
/// </summary>
public sealed partial class InferenceEngine : IModelExecutor, IAsyncDisposable
{
    private readonly InferenceOptions options;
    private readonly ILogger<InferenceEngine> logger;
    private readonly SemaphoreSlim runSlots;
    private readonly Lock sync = new();
    private readonly Dictionary<string, Lazy<Task<ModelWorker>>> workers = new(StringComparer.Ordinal);
    private readonly Lazy<ProviderProbe> probe;
    private readonly ConcurrentDictionary<(string Model, string ItemShape, int Loads), (SessionMemory Memory, long Order)> measuredMemory = new();
    private long measurements;
    private long evictions;

    /// <summary>The most session-memory measurements an engine keeps; past it the oldest is dropped (and measured again if asked).</summary>
    internal const int MeasuredMemoryLimit = 256;

    public InferenceEngine(IOptions<InferenceOptions> options, ILogger<InferenceEngine> logger)
    {
        this.options = options.Value;
        this.options.Validate();
        this.logger = logger;
        runSlots = new SemaphoreSlim(this.options.MaxConcurrentRuns);
        probe = new Lazy<ProviderProbe>(() => ProviderProbe.Run(this.options.ToSessionSettings(), logger));
        OrtRuntime.UseLogger(logger);
    }

    /// <summary>What the configured provider preference gives on this machine (a tiny model is loaded once to find out).</summary>
    public ProviderProbe Provider => probe.Value;

    public InferenceOptions Options => options;

    /// <summary>Runs one item (the model input without its batch dimension) and returns its outputs and timing.</summary>
    public async Task<ItemResult> InferAsync(ModelSpec model, float[] item, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = await EnqueueAsync(model, item, itemShape, preprocessMs, alone: false, cancellationToken);
        await using var registration = cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
        return await pending.Completion.Task;
    }

    /// <summary>
    /// Runs each item alone (a batch of one), one after another, all handed to the model's thread at once: each answer's
    /// compute and post-processing are that item's own, its queue time the wait behind the items before it. What a
    /// run's processing time is measured with: no thread hand-over per item, nothing stacked.
    /// </summary>
    public async Task<IReadOnlyList<ItemResult>> InferEachAsync(ModelSpec model, IReadOnlyList<float[]> items, IReadOnlyList<long[]> itemShapes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(itemShapes);
        if (items.Count != itemShapes.Count)
        {
            throw new ArgumentException($"{items.Count} items come with {itemShapes.Count} shapes.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        // Every item checked before any is queued: a wrong one refuses them all, and none runs for nothing.
        var loaded = await GetWorkerAsync(model, cancellationToken);
        for (var i = 0; i < items.Count; i++)
        {
            CheckItem(loaded, (items[i] ?? throw new ArgumentException($"Item {i} has no values.")).Length, itemShapes[i]);
        }

        var pending = new PendingItem[items.Count];
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                pending[i] = await EnqueueAsync(model, items[i], itemShapes[i], 0, alone: true, cancellationToken);
            }
        }
        catch
        {
            // Cancelled, or the model failed to load again after an eviction: the items already queued are withdrawn.
            foreach (var queued in pending.TakeWhile(p => p is not null))
            {
                queued.Completion.TrySetCanceled(CancellationToken.None);
            }

            throw;
        }

        await using var registration = cancellationToken.Register(() =>
        {
            foreach (var item in pending)
            {
                item.Completion.TrySetCanceled(cancellationToken);
            }
        });
        return await Task.WhenAll(pending.Select(p => p.Completion.Task));
    }

    // Queues one item on its model's thread, loading the model when needed (and again when it was evicted between the lookup and the queueing).
    private async Task<PendingItem> EnqueueAsync(ModelSpec model, float[] item, long[] itemShape, double preprocessMs, bool alone, CancellationToken cancellationToken)
    {
        while (true)
        {
            var worker = await GetWorkerAsync(model, cancellationToken);
            CheckItem(worker, item.Length, itemShape);
            var pending = new PendingItem(item, itemShape, preprocessMs, cancellationToken, alone: alone);
            if (worker.TryEnqueue(pending))
            {
                return pending;
            }
        }
    }

    /// <summary>
    /// Runs a batch the caller has already stacked (<paramref name="count"/> items of <paramref name="itemShape"/> in
    /// <paramref name="batch"/>), as one request: an offline evaluation forms its own batches rather than queueing items
    /// one by one. The outputs keep their batch dimension. Only for models with a dynamic batch dimension.
    /// </summary>
    public async Task<ItemResult> InferBatchAsync(ModelSpec model, float[] batch, int count, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count == 1)
        {
            var single = await InferAsync(model, batch, itemShape, preprocessMs, cancellationToken);
            return single with { Outputs = single.Outputs.Select(o => o with { Shape = [1, .. o.Shape] }).ToList() };
        }

        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            var worker = await GetWorkerAsync(model, cancellationToken);
            if (worker.BatchMode != BatchMode.Dynamic)
            {
                throw new ArgumentException($"Model '{worker.Spec.DisplayName}' has no dynamic batch dimension; send its items one at a time.");
            }

            var itemLength = Tensor.ElementCountOf(itemShape);
            if (itemLength * count != batch.Length)
            {
                throw new ArgumentException($"A batch of {count} items of shape [{string.Join(", ", itemShape)}] has {itemLength * count} values, not {batch.Length}.");
            }

            CheckItem(worker, itemLength, itemShape);
            var pending = new PendingItem(batch, itemShape, preprocessMs, cancellationToken, count);
            if (!worker.TryEnqueue(pending))
            {
                continue;
            }

            await using var registration = cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
            return await pending.Completion.Task;
        }
    }

    /// <summary>Loads the model if needed and describes it as the session sees it.</summary>
    public async Task<LoadedModel> LoadAsync(ModelSpec model, CancellationToken cancellationToken = default)
    {
        var worker = await GetWorkerAsync(model, cancellationToken);
        return Describe(worker);
    }

    /// <summary>Drops a model's session (e.g. the model version was deleted); queued requests still finish.</summary>
    public async Task UnloadAsync(string key)
    {
        Lazy<Task<ModelWorker>>? entry;
        lock (sync)
        {
            if (workers.Remove(key, out entry))
            {
                LogUnloaded(key);
            }
        }

        foreach (var measured in measuredMemory.Keys.Where(k => k.Model == key))
        {
            measuredMemory.TryRemove(measured, out _);
        }

        if (entry is not null && entry.Value.IsCompletedSuccessfully)
        {
            await entry.Value.Result.ShutDownAsync();
        }
    }

    // One memory measurement at a time: two loads at once would each count the other's memory.
    private static readonly SemaphoreSlim MemoryProbe = new(1, 1);

    /// <summary>
    /// Measures the memory one session of <paramref name="model"/> takes: a session apart from the cache is loaded,
    /// answers <paramref name="item"/> once (so the arena holds what serving needs) and is disposed, <paramref name="loads"/>
    /// times; the reading before is subtracted from the reading after each time. Other work in the process moves the
    /// readings a little, which the low–high range shows. A session's memory belongs to the model's content, this
    /// engine's session settings and the input's shape, not to the input's values: it is measured once per engine for
    /// each of those and the measurement is given again after that (each run of a run-heavy day would otherwise load
    /// the model three more times, a fifth of a small model's evaluation), until the model is unloaded or the measurement
    /// is the oldest of more than <see cref="MeasuredMemoryLimit"/>.
    /// </summary>
    public async Task<SessionMemory> MeasureSessionMemoryAsync(ModelSpec model, float[] item, long[] itemShape, int loads = 3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(itemShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(loads, 1);
        var key = (model.Key, string.Join('x', itemShape), loads);
        if (measuredMemory.TryGetValue(key, out var known))
        {
            return known.Memory;
        }

        await MemoryProbe.WaitAsync(cancellationToken);
        try
        {
            if (measuredMemory.TryGetValue(key, out known))
            {
                return known.Memory;
            }

            var measured = await Task.Run(() => MeasureSessionMemory(model, item, itemShape, loads, cancellationToken), cancellationToken);
            if (measuredMemory.Count >= MeasuredMemoryLimit)
            {
                measuredMemory.TryRemove(measuredMemory.MinBy(pair => pair.Value.Order).Key, out _);
            }

            measuredMemory[key] = (measured, ++measurements); // one measurement at a time: MemoryProbe is held
            return measured;
        }
        finally
        {
            MemoryProbe.Release();
        }
    }

    private SessionMemory MeasureSessionMemory(ModelSpec model, float[] item, long[] itemShape, int loads, CancellationToken cancellationToken)
    {
        var settings = options.ToSessionSettings();
        var readings = new List<long>(loads);
        var source = "";
        var provider = ExecutionProvider.Cpu;
        GpuDevice? gpu = null;
        for (var i = 0; i < loads; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hostBefore = MemoryGauge.Read(out source);
            var gpuBefore = GpuDevice.TryDescribe(settings.CudaDeviceId);
            // No logger: the serving session already said which provider it fell back to; three loads need not say it again.
            using (var session = OnnxSession.Load(model.Path, settings, null, model.DisplayName))
            {
                provider = session.Provider;
                var shape = session.Inputs[0].Shape.Length == itemShape.Length + 1 ? [1, .. itemShape] : itemShape;
                using var input = Tensor.Create(item, shape);
                foreach (var output in session.Run([input], cancellationToken))
                {
                    output.Dispose();
                }

                if (provider != ExecutionProvider.Cpu && gpuBefore is not null && GpuDevice.TryDescribe(settings.CudaDeviceId) is { } gpuAfter)
                {
                    (gpu, source) = (gpuAfter, MemoryGauge.GpuMemory);
                    readings.Add(Math.Max(0, gpuAfter.MemoryUsedBytes - gpuBefore.MemoryUsedBytes));
                    continue;
                }

                readings.Add(Math.Max(0, MemoryGauge.Read(out source) - hostBefore));
            }
        }

        readings.Sort();
        var (device, deviceBytes) = gpu is not null
            ? (gpu.Name, gpu.MemoryTotalBytes)
            : ("this machine's memory", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        return new SessionMemory(readings[readings.Count / 2], readings[0], readings[^1], loads, source, provider, device, deviceBytes);
    }

    /// <summary>Sessions loaded now, their memory, queues and counters; for /health and the engine panel.</summary>
    public EngineSnapshot Snapshot()
    {
        List<ModelWorker> loaded;
        long evicted;
        lock (sync)
        {
            loaded = workers.Values.Where(w => w.IsValueCreated && w.Value.IsCompletedSuccessfully).Select(w => w.Value.Result).ToList();
            evicted = evictions;
        }

        return new EngineSnapshot(
            options.Provider,
            loaded.Select(Describe).OrderBy(m => m.DisplayName, StringComparer.Ordinal).ToList(),
            options.MemoryBudgetMb * 1024 * 1024,
            loaded.Sum(w => w.SizeBytes),
            evicted);
    }

    private static LoadedModel Describe(ModelWorker w) => new(
        w.Spec.Key, w.Spec.DisplayName, w.Session.Provider, w.Session.ProviderFallbackReason, w.SizeBytes, w.BatchMode,
        w.Session.Inputs, w.Session.Outputs, w.Session.Metadata, w.QueueDepth, w.Items, w.Batches, w.ComputeMs, w.LastUsed);

    private static void CheckItem(ModelWorker worker, long valueCount, long[] itemShape)
    {
        var expected = worker.ItemShape;
        var fits = itemShape.Length == expected.Length;
        for (var d = 0; fits && d < expected.Length; d++)
        {
            fits = itemShape[d] > 0 && (expected[d] < 0 || expected[d] == itemShape[d]);
        }

        if (!fits)
        {
            throw new ArgumentException(
                $"Model '{worker.Spec.DisplayName}' takes items of shape [{string.Join(", ", expected.Select(d => d < 0 ? "?" : d.ToString()))}], not [{string.Join(", ", itemShape)}].");
        }

        if (Tensor.ElementCountOf(itemShape) != valueCount)
        {
            throw new ArgumentException($"An item of shape [{string.Join(", ", itemShape)}] has {Tensor.ElementCountOf(itemShape)} values, not {valueCount}.");
        }
    }

    private async Task<ModelWorker> GetWorkerAsync(ModelSpec model, CancellationToken cancellationToken)
    {
        Lazy<Task<ModelWorker>> entry;
        lock (sync)
        {
            if (!workers.TryGetValue(model.Key, out entry!))
            {
                entry = new Lazy<Task<ModelWorker>>(() => Task.Run(() => Load(model)));
                workers[model.Key] = entry;
            }
        }

        try
        {
            return await entry.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            // A failed load is not cached: the next request tries again (the file may have been fixed).
            lock (sync)
            {
                if (workers.TryGetValue(model.Key, out var current) && current == entry)
                {
                    workers.Remove(model.Key);
                }
            }

            throw;
        }
    }

    private ModelWorker Load(ModelSpec model)
    {
        var size = File.Exists(model.Path) ? new FileInfo(model.Path).Length : 0;
        MakeRoomFor(model.Key, size);
        var started = Stopwatch.GetTimestamp();
        var session = OnnxSession.Load(model.Path, options.ToSessionSettings(), logger, model.DisplayName);
        try
        {
            var worker = new ModelWorker(model, session, size, options, runSlots, logger);
            LogLoaded(model.DisplayName, session.Provider, size / 1048576.0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, worker.BatchMode);
            return worker;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    // Least recently used sessions go first; a model bigger than the whole budget still loads, alone.
    private void MakeRoomFor(string key, long size)
    {
        var budget = options.MemoryBudgetMb * 1024 * 1024;
        var victims = new List<ModelWorker>();
        lock (sync)
        {
            var loaded = workers
                .Where(pair => pair.Key != key && pair.Value.IsValueCreated && pair.Value.Value.IsCompletedSuccessfully)
                .Select(pair => pair.Value.Value.Result)
                .OrderBy(w => w.LastUsed)
                .ToList();
            var used = loaded.Sum(w => w.SizeBytes);
            foreach (var worker in loaded)
            {
                if (used + size <= budget)
                {
                    break;
                }

                workers.Remove(worker.Spec.Key);
                used -= worker.SizeBytes;
                evictions++;
                victims.Add(worker);
            }
        }

        foreach (var victim in victims)
        {
            LogEvicted(victim.Spec.DisplayName, victim.SizeBytes / 1048576.0, budget / 1048576.0);
            _ = victim.ShutDownAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Lazy<Task<ModelWorker>>> all;
        lock (sync)
        {
            all = workers.Values.ToList();
            workers.Clear();
        }

        foreach (var entry in all.Where(e => e.IsValueCreated))
        {
            try
            {
                await (await entry.Value).ShutDownAsync();
            }
            catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or IOException)
            {
                // The load had failed; nothing to shut down.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} on {Provider} ({SizeMb:F1} MiB) in {Ms:F0} ms, batching: {Mode}")]
    private partial void LogLoaded(string model, ExecutionProvider provider, double sizeMb, double ms, BatchMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted model {Model} ({SizeMb:F1} MiB) to stay within the {BudgetMb:F0} MiB session budget")]
    private partial void LogEvicted(string model, double sizeMb, double budgetMb);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Key}")]
    private partial void LogUnloaded(string key);
}

/// <summary>A loaded model as the engine reports it.</summary>
public sealed record LoadedModel(
    string Key,
    string DisplayName,
    ExecutionProvider Provider,
    string? ProviderFallbackReason,
    long SizeBytes,
    BatchMode BatchMode,
    IReadOnlyList<TensorInfo> Inputs,
    IReadOnlyList<TensorInfo> Outputs,
    ModelMetadata Metadata,
    int QueueDepth,
    long Items,
    long Batches,
    double ComputeMs,
    DateTimeOffset LastUsed);

/// <summary>The engine's state at one moment.</summary>
public sealed record EngineSnapshot(ProviderPreference Preference, IReadOnlyList<LoadedModel> Models, long BudgetBytes, long UsedBytes, long Evictions);
