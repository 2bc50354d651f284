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
    IReadOnlyList<WorkerModelView> Models, DateTimeOffset? DescribedAt, IsolatedWorkerState? Isolated = null);

/// <summary>
/// Runs models on the portal's workers (<c>Inference:Workers</c>) instead of in process. A request goes to a worker that
/// has the model loaded, else to the one with the fewest requests in flight from this portal (then the fewest models held); a worker that stops
/// answering is marked down for <c>Inference:WorkerRetrySeconds</c> and the request tried on the next; when none
/// answers, <see cref="ExecutorUnavailableException"/> names each worker's reason. A refusal of the request itself (a
/// wrong shape, a model that cannot run) is the request's answer and is not retried. With
/// <c>Inference:Isolation=process</c> the portal's own <see cref="IsolatedWorker"/> is one of the workers: work waits
/// for it while it starts; when it dies, the models that were running on it are counted against in
/// <see cref="ModelQuarantine"/>, and a quarantined model is run nowhere.
/// </summary>
public sealed partial class WorkerPool : IModelExecutor, IDisposable
{
    private readonly Member[] members;
    private readonly PortalWorkerOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<WorkerPool> logger;
    private readonly ConcurrentDictionary<string, LoadedModel> described = new(StringComparer.Ordinal);
    private readonly ModelQuarantine quarantine;
    private readonly IsolatedWorker? isolated;
    private readonly Member? own;
    private readonly Lock choosing = new();
    private readonly InferenceEngine? engine;
    private int refreshing;
    private long lastRefresh;

    public WorkerPool(
        IOptions<PortalWorkerOptions> options, TimeProvider time, ILogger<WorkerPool> logger, ModelQuarantine? quarantine = null, IsolatedWorker? isolated = null,
        InferenceEngine? engine = null)
    {
        settings = options.Value;
        var problems = settings.Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        var key = settings.ResolveKey();
        var tls = WorkerTlsClient.Load(settings.WorkerTls);
        var listed = settings.Workers.Select(address => new Member(new WorkerClient(address, key!, tls: tls)))
            .Concat(settings.Servers.Select(server => new Member(new WorkerClient(server.Address, server.Key, tls: tls), server: server)));
        this.engine = engine;
        this.time = time;
        this.logger = logger;
        this.quarantine = quarantine ?? new ModelQuarantine(time);
        this.isolated = isolated;
        if (isolated is not null)
        {
            own = new Member(new WorkerClient(isolated.Address, isolated.Key), isolated);
            listed = listed.Prepend(own);
        }

        members = listed.ToArray();
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
            return new WorkerView(state.Address, state.Up, state.DownReason, last?.Device ?? m.Device, last?.Provider, last?.QueueDepth ?? 0, state.InFlight, models, m.LastDescribedAt,
                m == own ? isolated!.State : null);
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

            if (m.Server is not null)
            {
                m.Device = null; // asked again
                return (m.Client.Address, (Protocol.DescribeResponse?)null, await VerifyAsync(m, cancellationToken));
            }

            try
            {
                var described = await m.Client.DescribeAsync(Timeout, cancellationToken);
                m.Answered(described.Models.Select(x => x.Name));
                (m.Device, m.LastDescribed, m.LastDescribedAt) = (described.Device, described, time.GetUtcNow());
                return (m.Client.Address, (Protocol.DescribeResponse?)described, (string?)null);
            }
            catch (WorkerException e) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering, another protocol version, not a worker at all, a key it refuses: no work goes there.
                MarkDown(m, e.Message);
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

        var (metadata, ranOn) = await OnAWorkerAsync(model, (client, target, ct) => client.ModelMetadataAsync(target.Name, Timeout, ct, target.Version), "describe", cancellationToken);
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
        var (result, ranOn) = await OnAWorkerAsync(model, (client, target, ct) => InferOneAsync(client, target, loaded, item, itemShape, ct), "run", cancellationToken);
        return result with { Timing = result.Timing with { PreprocessMs = preprocessMs }, RanOn = ranOn };
    }

    /// <summary>
    /// On a QualityHub worker, one call that runs and times the items there; on a server of another make, one request
    /// per item, each timed by the portal from sending it to its answer (the network included: such a server says
    /// nothing of its own time).
    /// </summary>
    public async Task<IReadOnlyList<ItemResult>> InferEachAsync(ModelSpec model, IReadOnlyList<float[]> items, IReadOnlyList<long[]> itemShapes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(itemShapes);
        if (items.Count != itemShapes.Count)
        {
            throw new ArgumentException($"{items.Count} items come with {itemShapes.Count} shapes.");
        }

        var loaded = await LoadAsync(model, cancellationToken);
        var (results, ranOn) = await OnAWorkerAsync(model, async (client, target, ct) =>
        {
            if (target.OnOurWorker)
            {
                return await client.InferEachAsync(target.Name, items, itemShapes, Timeout, ct);
            }

            var answers = new List<ItemResult>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                var started = time.GetTimestamp();
                var answer = await InferOneAsync(client, target, loaded, items[i], itemShapes[i], ct);
                answers.Add(answer with { Timing = new InferenceTiming(0, 0, time.GetElapsedTime(started).TotalMilliseconds, 0, 1) });
            }

            return (IReadOnlyList<ItemResult>)answers;
        }, "run", cancellationToken);
        return results.Select(r => r with { RanOn = ranOn }).ToList();
    }

    // One item as a request of one; in process, a lone item's outputs come without their batch dimension, so they do here.
    private Task<ItemResult> InferOneAsync(WorkerClient client, Target target, LoadedModel loaded, float[] item, long[] itemShape, CancellationToken cancellationToken) =>
        loaded.BatchMode == BatchMode.None
            ? client.InferAsync(target.Name, loaded.Inputs[0].Name, item, itemShape, Timeout, cancellationToken, target.Version)
            : WithoutBatchAsync(client.InferAsync(target.Name, loaded.Inputs[0].Name, item, [1, .. itemShape], Timeout, cancellationToken, target.Version));

    private static async Task<ItemResult> WithoutBatchAsync(Task<ItemResult> answer)
    {
        var result = await answer;
        return result with { Outputs = result.Outputs.Select(o => o.Shape.Length > 0 && o.Shape[0] == 1 ? o with { Shape = o.Shape[1..] } : o).ToList() };
    }

    public async Task<ItemResult> InferBatchAsync(ModelSpec model, float[] batch, int count, long[] itemShape, double preprocessMs = 0, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(model, cancellationToken);
        if (count > 1 && loaded.BatchMode != BatchMode.Dynamic)
        {
            throw new ArgumentException($"Model '{model.DisplayName}' has no dynamic batch dimension; send its items one at a time.");
        }

        var (result, ranOn) = await OnAWorkerAsync(model,
            (client, target, ct) => client.InferAsync(target.Name, loaded.Inputs[0].Name, batch, [count, .. itemShape], Timeout, ct, target.Version), "run", cancellationToken);
        return result with { Timing = result.Timing with { PreprocessMs = preprocessMs }, RanOn = ranOn };
    }

    /// <summary>
    /// Measured on a QualityHub worker: the open inference protocol has no such call, so with servers of other makes
    /// alone the portal's own engine measures it (the run says which device that was).
    /// </summary>
    public async Task<SessionMemory> MeasureSessionMemoryAsync(ModelSpec model, float[] item, long[] itemShape, int loads = 3, CancellationToken cancellationToken = default)
    {
        if (members.All(m => m.Server is not null) && engine is not null)
        {
            quarantine.ThrowIfQuarantined(model);
            return await engine.MeasureSessionMemoryAsync(model, item, itemShape, loads, cancellationToken);
        }

        return (await OnAWorkerAsync(model, (client, target, ct) => client.MeasureMemoryAsync(target.Name, item, itemShape, loads, Timeout, ct), "measure", cancellationToken,
            workersOnly: true)).Result;
    }

    // The call on the best worker, then on the next while workers are not answering; with where it ran ("worker ADDRESS (DEVICE)").
    private async Task<(T Result, string RanOn)> OnAWorkerAsync<T>(
        ModelSpec model, Func<WorkerClient, Target, CancellationToken, Task<T>> call, string what, CancellationToken cancellationToken, bool workersOnly = false)
    {
        quarantine.ThrowIfQuarantined(model);
        var reasons = new List<string>();
        var tried = new HashSet<Member>();
        while (await ChooseAsync(model, tried, workersOnly, cancellationToken) is { } member)
        {
            // The member comes counted in flight (see Choose), so that requests choosing at once spread.
            tried.Add(member);
            var generation = isolated?.Generation ?? 0;
            try
            {
                if (await VerifyAsync(member, cancellationToken) is { } refused)
                {
                    reasons.Add(refused);
                    continue;
                }

                var target = member.TargetFor(model)!;
                var result = await call(member.Client, target, cancellationToken);
                member.Answered([model.Key]);
                return (result, member.Server is null
                    ? $"worker {member.Client.Address} ({member.Device})"
                    : $"server {member.Client.Address} ({member.Device}) as {target.Name}{(target.Version.Length > 0 ? $":{target.Version}" : "")}");
            }
            catch (WorkerException e) when (e.WorkerUnavailable && !cancellationToken.IsCancellationRequested)
            {
                // The portal's own worker died under this call: the model is counted against, and quarantined the second time.
                if (member == own && await isolated!.ExitReasonAsync(generation, TimeSpan.FromSeconds(2)) is { } exit)
                {
                    if (quarantine.RecordCrash(model.Key, model.DisplayName, generation, exit))
                    {
                        LogQuarantined(model.DisplayName, exit);
                    }

                    quarantine.ThrowIfQuarantined(model);

                    reasons.Add($"{exit} while it ran model '{model.DisplayName}'");
                    continue;
                }

                MarkDown(member, e.Message);
                reasons.Add(e.Message);
            }
            catch (WorkerException e) when (e.Status is StatusCode.Unimplemented or StatusCode.Unauthenticated && !cancellationToken.IsCancellationRequested)
            {
                MarkDown(member, e.Message); // not (or no longer) a worker of this portal
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

        var down = members.Where(m => !tried.Contains(m)).Select(m => m.TargetFor(model) is null
            ? $"{m.Client.Address} does not serve it (Inference:Servers:…:Models)"
            : $"{m.Client.Address} is down ({m.DownReason})");
        throw new ExecutorUnavailableException(
            $"No worker could {what} model '{model.DisplayName}': {string.Join("; ", reasons.Concat(down).DefaultIfEmpty("no worker is configured"))}");
    }

    // A worker gets work once it has said what it is (QualityHub's worker protocol, this version) and runs on; a worker
    // that cannot say so is marked down, and the reason returned.
    private async Task<string?> VerifyAsync(Member member, CancellationToken cancellationToken)
    {
        if (member.Device is not null)
        {
            return null;
        }

        try
        {
            if (member.Server is not null)
            {
                // Another maker's server: the protocol's own health and metadata calls say what it is.
                if (!await member.Client.ServerReadyAsync(Timeout, cancellationToken))
                {
                    throw new WorkerException($"The server at {member.Client.Address} says it is not ready.", StatusCode.Unavailable);
                }

                var server = await member.Client.ServerMetadataAsync(Timeout, cancellationToken);
                (member.Device, member.LastDescribedAt) = ($"{server.Name} {server.Version}".Trim(), time.GetUtcNow());
                return null;
            }

            var described = await member.Client.DescribeAsync(Timeout, cancellationToken);
            (member.Device, member.LastDescribed, member.LastDescribedAt) = (described.Device, described, time.GetUtcNow());
            return null;
        }
        catch (WorkerException e) when (!cancellationToken.IsCancellationRequested)
        {
            MarkDown(member, e.Message);
            return e.Message;
        }
    }

    // The best worker to try next; while none is up but the portal's own worker is starting, that one, once it serves.
    private async Task<Member?> ChooseAsync(ModelSpec model, HashSet<Member> tried, bool workersOnly, CancellationToken cancellationToken)
    {
        if (Choose(model, tried, workersOnly) is { } member)
        {
            return member;
        }

        if (own is null || tried.Contains(own))
        {
            return null;
        }

        try
        {
            await isolated!.WaitUntilServingAsync(cancellationToken).WaitAsync(Timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }

        return Choose(model, tried, workersOnly);
    }

    // A server that maps the model first (where that version serves), then a worker holding it, then the least busy,
    // then the one holding the fewest models.
    // The member chosen is counted in flight at once, under a lock: requests choosing at the same moment see each other.
    private Member? Choose(ModelSpec model, HashSet<Member> tried, bool workersOnly)
    {
        var now = time.GetUtcNow();
        lock (choosing)
        {
            var chosen = members
            .Where(m => !tried.Contains(m) && m.IsUp(now) && m.TargetFor(model) is not null && !(workersOnly && m.Server is not null))
            .OrderByDescending(m => m.Server is not null)
            .ThenByDescending(m => m.Holds(model.Key))
            .ThenBy(m => Volatile.Read(ref m.InFlight))
            .ThenBy(m => m.HeldCount) // the most room: new models spread over the workers
            .FirstOrDefault();
            if (chosen is not null)
            {
                Interlocked.Increment(ref chosen.InFlight);
            }

            return chosen;
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Model '{Model}' is quarantined: it was running each time the isolated worker died; the last time: {Reason}")]
    private partial void LogQuarantined(string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Address} is marked down for {Seconds} s: {Reason}")]
    private partial void LogDown(string address, string reason, int seconds);

    // What a call names: the model's content hash on a QualityHub worker, the mapped name and version on another server.
    private sealed record Target(string Name, string Version, bool OnOurWorker);

    // A worker as the pool knows it; the portal's own worker is up only while its process serves; a server serves its mapped models only.
    private sealed class Member(WorkerClient client, IsolatedWorker? isolated = null, ProtocolServer? server = null)
    {
        private readonly Lock sync = new();
        private readonly HashSet<string> models = new(StringComparer.Ordinal);
        private DateTimeOffset downUntil = DateTimeOffset.MinValue;
        private int downGeneration;

        public int InFlight;

        public WorkerClient Client { get; } = client;

        public ProtocolServer? Server { get; } = server;

        public Target? TargetFor(ModelSpec model) =>
            Server is null ? new Target(model.Key, "", true) : Server.NameOf(model.DisplayName, model.Key) is { } mapped ? new Target(mapped.Name, mapped.Version, false) : null;

        private string? downReason;

        public string? DownReason => isolated is { IsServing: false } ? isolated.State.LastExit ?? "the portal's own worker is starting" : downReason;

        /// <summary>The device the worker said it runs on, once asked.</summary>
        public string? Device { get; set; }

        /// <summary>What the worker said of itself the last time it was asked, and when.</summary>
        public Protocol.DescribeResponse? LastDescribed { get; set; }

        public DateTimeOffset? LastDescribedAt { get; set; }

        public bool IsUp(DateTimeOffset now)
        {
            if (isolated is { IsServing: false })
            {
                return false;
            }

            lock (sync)
            {
                // A new process of the portal's own worker is not held to what its predecessor did.
                return now >= downUntil || (isolated is not null && isolated.Generation != downGeneration);
            }
        }

        public bool Holds(string model)
        {
            lock (sync)
            {
                return models.Contains(model);
            }
        }

        public int HeldCount
        {
            get
            {
                lock (sync)
                {
                    return models.Count;
                }
            }
        }

        public void Answered(IEnumerable<string> held)
        {
            lock (sync)
            {
                (downUntil, downReason) = (DateTimeOffset.MinValue, null);
                models.UnionWith(held);
            }
        }

        public void Down(string reason, DateTimeOffset until)
        {
            lock (sync)
            {
                (downUntil, downReason, downGeneration) = (until, reason, isolated?.Generation ?? 0);
                models.Clear();
                Device = null; // what answers there when it is back says what it is again
            }
        }

        public WorkerState State(DateTimeOffset now)
        {
            var up = IsUp(now);
            var reason = DownReason;
            lock (sync)
            {
                return new WorkerState(Client.Address, up, up ? null : reason, up || now >= downUntil ? null : downUntil, Volatile.Read(ref InFlight), models.Order(StringComparer.Ordinal).ToList());
            }
        }
    }
}
