using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Inference;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker;

/// <summary>One worker as the portal sees it now.</summary>
public sealed record WorkerState(string Address, bool Up, string? DownReason, DateTimeOffset? DownUntil, int InFlight, IReadOnlyList<string> Models);

/// <summary>A model loaded on a worker, by the name the portal knows it by when it has sent it work (else its hash's start).</summary>
public sealed record WorkerModelView(string Name, string Provider, long SizeBytes, int QueueDepth, long Items);

/// <summary>A worker as the engine panel shows it: state, device and what it holds, as it last described itself.</summary>
public sealed record WorkerView(
    string Address, bool Up, string? DownReason, string? Device, string? Provider, int QueueDepth, int InFlight,
    IReadOnlyList<WorkerModelView> Models, DateTimeOffset? DescribedAt);

/// <summary>
/// Runs models on the portal's workers (<c>Inference:Workers</c>) instead of in process. A request goes to a worker that
/// has the model loaded, else to the one with the fewest requests in flight from this portal; a worker that stops
/// answering is marked down for <c>Inference:WorkerRetrySeconds</c> and the request tried on the next; when none
/// answers, <see cref="ExecutorUnavailableException"/> names each worker's reason. A refusal of the request itself (a
/// wrong shape, a model that cannot run) is the request's answer and is not retried.
/// </summary>
public sealed partial class WorkerPool : IModelExecutor, IDisposable
{
    private readonly Member[] members;
    private readonly PortalWorkerOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<WorkerPool> logger;
    private readonly ConcurrentDictionary<string, LoadedModel> described = new(StringComparer.Ordinal);
    private int refreshing;
    private long lastRefresh;

    public WorkerPool(IOptions<PortalWorkerOptions> options, TimeProvider time, ILogger<WorkerPool> logger)
    {
        settings = options.Value;
        var problems = settings.Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        var key = settings.ResolveKey()!;
        members = settings.Workers.Select(address => new Member(new WorkerClient(address, key))).ToArray();
        this.time = time;
        this.logger = logger;
    }

    private TimeSpan Timeout => TimeSpan.FromSeconds(settings.WorkerTimeoutSeconds);

    /// <summary>Each worker: up or down (and why), requests in flight, the models it is known to hold.</summary>
    public IReadOnlyList<WorkerState> States()
    {
        var now = time.GetUtcNow();
        return members.Select(m => m.State(now)).ToList();
    }

    /// <summary>Each worker as it last described itself, with its state now; asks them again in the background when that is over two seconds old.</summary>
    public IReadOnlyList<WorkerView> Views()
    {
        if (time.GetElapsedTime(Interlocked.Read(ref lastRefresh)) > TimeSpan.FromSeconds(2) && Interlocked.CompareExchange(ref refreshing, 1, 0) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await DescribeAllAsync();
                }
                finally
                {
                    Interlocked.Exchange(ref lastRefresh, time.GetTimestamp());
                    Interlocked.Exchange(ref refreshing, 0);
                }
            });
        }

        var now = time.GetUtcNow();
        return members.Select(m =>
        {
            var state = m.State(now);
            var last = m.LastDescribed;
            var models = last?.Models.Select(x => new WorkerModelView(
                described.TryGetValue(x.Name, out var known) ? known.DisplayName : x.Name[..Math.Min(12, x.Name.Length)], x.Provider, x.SizeBytes, x.QueueDepth, x.Items)).ToList() ?? [];
            return new WorkerView(state.Address, state.Up, state.DownReason, last?.Device, last?.Provider, last?.QueueDepth ?? 0, state.InFlight, models, m.LastDescribedAt);
        }).ToList();
    }

    /// <summary>Asks every worker to describe itself (device, loaded models); a worker that does not answer is marked down.</summary>
    public async Task<IReadOnlyList<(string Address, Protocol.DescribeResponse? Described, string? Error)>> DescribeAllAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return await Task.WhenAll(members.Select(async m =>
        {
            if (!m.IsUp(now))
            {
                return (m.Client.Address, (Protocol.DescribeResponse?)null, m.DownReason); // left alone until its retry time
            }

            try
            {
                var described = await m.Client.DescribeAsync(Timeout, cancellationToken);
                m.Answered(described.Models.Select(x => x.Name));
                (m.Device, m.LastDescribed, m.LastDescribedAt) = (described.Device, described, time.GetUtcNow());
                return (m.Client.Address, (Protocol.DescribeResponse?)described, (string?)null);
            }
            catch (WorkerException e)
            {
                if (e.WorkerUnavailable || e.Status == StatusCode.FailedPrecondition)
                {
                    MarkDown(m, e.Message);
                }

                return (m.Client.Address, null, e.Message);
            }
        }));
    }

    public async Task<LoadedModel> LoadAsync(ModelSpec model, CancellationToken cancellationToken = default)
    {
        if (described.TryGetValue(model.Key, out var known))
        {
            return known;
        }

        var (metadata, ranOn) = await OnAWorkerAsync(model, (client, ct) => client.ModelMetadataAsync(model.Key, Timeout, ct), "describe", cancellationToken);
        var inputs = metadata.Inputs.Select(Tensor).ToList();
        var outputs = metadata.Outputs.Select(Tensor).ToList();
        var first = inputs.Count > 0 ? inputs[0] : throw new NotSupportedException($"Model '{model.DisplayName}' has no input on {ranOn}.");
        var mode = first.HasDynamicBatch ? BatchMode.Dynamic : first.Shape.Length > 0 && first.Shape[0] == 1 ? BatchMode.FixedOne : BatchMode.None;
        var loaded = new LoadedModel(
            model.Key, model.DisplayName, ExecutionProvider.Cpu, null, 0, mode, inputs, outputs,
            new ModelMetadata("", "", ranOn, 0, new Dictionary<string, string>()), 0, 0, 0, 0, time.GetUtcNow());
        described[model.Key] = loaded;
        return loaded;
    }

    public async Task<ItemResult> InferAsync(ModelSpec model, float[] item, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(model, cancellationToken);
        var batched = loaded.BatchMode != BatchMode.None;
        var (result, ranOn) = await OnAWorkerAsync(model,
            (client, ct) => client.InferAsync(model.Key, loaded.Inputs[0].Name, item, batched ? [1, .. itemShape] : itemShape, Timeout, ct), "run", cancellationToken);
        // In process, a lone item's outputs come without their batch dimension; so they do here.
        var outputs = batched ? result.Outputs.Select(o => o.Shape.Length > 0 && o.Shape[0] == 1 ? o with { Shape = o.Shape[1..] } : o).ToList() : result.Outputs;
        return result with { Outputs = outputs, Timing = result.Timing with { PreprocessMs = preprocessMs }, RanOn = ranOn };
    }

    public async Task<ItemResult> InferBatchAsync(ModelSpec model, float[] batch, int count, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(model, cancellationToken);
        if (count > 1 && loaded.BatchMode != BatchMode.Dynamic)
        {
            throw new ArgumentException($"Model '{model.DisplayName}' has no dynamic batch dimension; send its items one at a time.");
        }

        var (result, ranOn) = await OnAWorkerAsync(model,
            (client, ct) => client.InferAsync(model.Key, loaded.Inputs[0].Name, batch, [count, .. itemShape], Timeout, ct), "run", cancellationToken);
        return result with { Timing = result.Timing with { PreprocessMs = preprocessMs }, RanOn = ranOn };
    }

    public async Task<SessionMemory> MeasureSessionMemoryAsync(ModelSpec model, float[] item, long[] itemShape, int loads = 3, CancellationToken cancellationToken = default) =>
        (await OnAWorkerAsync(model, (client, ct) => client.MeasureMemoryAsync(model.Key, item, itemShape, loads, Timeout, ct), "measure", cancellationToken)).Result;

    // The call on the best worker, then on the next while workers are not answering; with where it ran ("worker ADDRESS (DEVICE)").
    private async Task<(T Result, string RanOn)> OnAWorkerAsync<T>(ModelSpec model, Func<WorkerClient, CancellationToken, Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        var tried = new HashSet<Member>();
        while (Choose(model.Key, tried) is { } member)
        {
            tried.Add(member);
            Interlocked.Increment(ref member.InFlight);
            try
            {
                var result = await call(member.Client, cancellationToken);
                member.Answered([model.Key]);
                return (result, await DescriptionOfAsync(member, cancellationToken));
            }
            catch (WorkerException e) when (e.WorkerUnavailable && !cancellationToken.IsCancellationRequested)
            {
                MarkDown(member, e.Message);
                reasons.Add(e.Message);
            }
            catch (WorkerException e) when (e.Status is StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.ResourceExhausted)
            {
                throw new ArgumentException(e.Message, e);
            }
            catch (WorkerException e) when (e.Status is StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.DataLoss)
            {
                throw new InvalidOperationException($"Model '{model.DisplayName}' on {member.Client.Address}: {e.Message}", e);
            }
            finally
            {
                Interlocked.Decrement(ref member.InFlight);
            }
        }

        var down = members.Where(m => !tried.Contains(m)).Select(m => $"{m.Client.Address} is down ({m.DownReason})");
        throw new ExecutorUnavailableException(
            $"No worker could {what} model '{model.DisplayName}': {string.Join("; ", reasons.Concat(down).DefaultIfEmpty("no worker is configured"))}");
    }

    // The worker and its device, asked once per worker (a worker that cannot say is named by its address alone).
    private async Task<string> DescriptionOfAsync(Member member, CancellationToken cancellationToken)
    {
        if (member.Device is null)
        {
            try
            {
                member.Device = (await member.Client.DescribeAsync(Timeout, cancellationToken)).Device;
            }
            catch (WorkerException)
            {
                return $"worker {member.Client.Address}";
            }
        }

        return $"worker {member.Client.Address} ({member.Device})";
    }

    private Member? Choose(string model, HashSet<Member> tried)
    {
        var now = time.GetUtcNow();
        return members
            .Where(m => !tried.Contains(m) && m.IsUp(now))
            .OrderByDescending(m => m.Holds(model))
            .ThenBy(m => Volatile.Read(ref m.InFlight))
            .FirstOrDefault();
    }

    private void MarkDown(Member member, string reason)
    {
        member.Down(reason, time.GetUtcNow() + TimeSpan.FromSeconds(settings.WorkerRetrySeconds));
        LogDown(member.Client.Address, reason, settings.WorkerRetrySeconds);
    }

    private static TensorInfo Tensor(Protocol.ModelMetadataResponse.Types.TensorMetadata t) =>
        new(t.Name, t.Datatype == TensorData.Fp32 ? TensorElementType.Float : TensorElementType.Undefined, t.Shape.ToArray(), new string?[t.Shape.Count]);

    public void Dispose()
    {
        foreach (var member in members)
        {
            member.Client.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Address} is marked down for {Seconds} s: {Reason}")]
    private partial void LogDown(string address, string reason, int seconds);

    private sealed class Member(WorkerClient client)
    {
        private readonly Lock sync = new();
        private readonly HashSet<string> models = new(StringComparer.Ordinal);
        private DateTimeOffset downUntil = DateTimeOffset.MinValue;

        public int InFlight;

        public WorkerClient Client { get; } = client;

        public string? DownReason { get; private set; }

        /// <summary>The device the worker said it runs on, once asked.</summary>
        public string? Device { get; set; }

        /// <summary>What the worker said of itself the last time it was asked, and when.</summary>
        public Protocol.DescribeResponse? LastDescribed { get; set; }

        public DateTimeOffset? LastDescribedAt { get; set; }

        public bool IsUp(DateTimeOffset now)
        {
            lock (sync)
            {
                return now >= downUntil;
            }
        }

        public bool Holds(string model)
        {
            lock (sync)
            {
                return models.Contains(model);
            }
        }

        public void Answered(IEnumerable<string> held)
        {
            lock (sync)
            {
                (downUntil, DownReason) = (DateTimeOffset.MinValue, null);
                models.UnionWith(held);
            }
        }

        public void Down(string reason, DateTimeOffset until)
        {
            lock (sync)
            {
                (downUntil, DownReason) = (until, reason);
                models.Clear();
            }
        }

        public WorkerState State(DateTimeOffset now)
        {
            lock (sync)
            {
                var up = now >= downUntil;
                return new WorkerState(Client.Address, up, up ? null : DownReason, up ? null : downUntil, Volatile.Read(ref InFlight), models.Order(StringComparer.Ordinal).ToList());
            }
        }
    }
}
