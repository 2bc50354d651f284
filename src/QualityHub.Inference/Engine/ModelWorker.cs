using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace QualityHub.Inference.Engine;

/// <summary>
/// One loaded session and its request queue. Like Triton's dynamic batcher, the worker takes the first waiting
/// request, waits up to the batch delay for more of the same item shape (up to the batch size), runs them as one
/// batch and hands each request its slice of the outputs. Models without a dynamic batch dimension run one by one.
/// </summary>
internal sealed class ModelWorker
{
    private readonly Channel<PendingItem> queue = Channel.CreateUnbounded<PendingItem>();
    private readonly SemaphoreSlim runSlots;
    private readonly InferenceOptions options;
    private readonly ILogger logger;
    private readonly TensorInfo input;
    private readonly Task loop;
    private long items;
    private long batches;
    private double computeMs;
    private int inFlight;

    public ModelWorker(ModelSpec spec, OnnxSession session, long sizeBytes, InferenceOptions options, SemaphoreSlim runSlots, ILogger logger)
    {
        Spec = spec;
        Session = session;
        SizeBytes = sizeBytes;
        this.options = options;
        this.runSlots = runSlots;
        this.logger = logger;
        if (session.Inputs.Count != 1 || session.Inputs[0].ElementType != TensorElementType.Float)
        {
            throw new NotSupportedException(
                $"Model '{spec.DisplayName}' takes {string.Join("; ", session.Inputs)}; the engine serves models with one float32 input.");
        }

        input = session.Inputs[0];
        BatchMode = input.HasDynamicBatch ? BatchMode.Dynamic : input.Shape.Length > 0 && input.Shape[0] == 1 ? BatchMode.FixedOne : BatchMode.None;
        loop = StartLoop();
    }

    public ModelSpec Spec { get; }

    public OnnxSession Session { get; }

    public long SizeBytes { get; }

    public BatchMode BatchMode { get; }

    public DateTimeOffset LastUsed { get; private set; } = DateTimeOffset.UtcNow;

    public int QueueDepth => queue.Reader.Count + Volatile.Read(ref inFlight);

    public long Items => Interlocked.Read(ref items);

    public long Batches => Interlocked.Read(ref batches);

    public double ComputeMs => Volatile.Read(ref computeMs);

    /// <summary>The item shape the model expects, without the batch dimension; -1 where the model allows any size.</summary>
    public long[] ItemShape => BatchMode == BatchMode.None ? input.Shape : input.Shape[1..];

    /// <summary>Queues one item; false when the worker is shutting down (evicted or unloaded).</summary>
    public bool TryEnqueue(PendingItem item)
    {
        LastUsed = DateTimeOffset.UtcNow;
        return queue.Writer.TryWrite(item);
    }

    /// <summary>Takes no new requests, finishes the queued ones, then releases the session.</summary>
    public async Task ShutDownAsync()
    {
        queue.Writer.TryComplete();
        await loop;
        Session.Dispose();
    }

    // The loop has a thread of its own: a run is a blocking native call, and on a thread-pool thread it would share
    // that thread's core with whatever the pool schedules next (measured: the same batches ran 8 % slower that way
    // during an evaluation, whose decoding and writing keep the pool busy).
    private Task StartLoop()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunLoop();
                stopped.SetResult();
            }
            catch (Exception e)
            {
                stopped.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"model {Spec.DisplayName}",
        };
        thread.Start();
        return stopped.Task;
    }

    private void RunLoop()
    {
        var batch = new List<PendingItem>(options.MaxBatchSize);
        PendingItem? carried = null;
        var maxBatch = BatchMode == BatchMode.Dynamic ? options.MaxBatchSize : 1;
        var delay = TimeSpan.FromMilliseconds(options.MaxBatchDelayMs);
        while (carried is not null || WaitForItem(Timeout.InfiniteTimeSpan))
        {
            batch.Clear();
            var first = carried ?? (queue.Reader.TryRead(out var read) ? read : null);
            carried = null;
            if (first is null || first.IsAbandoned)
            {
                continue;
            }

            batch.Add(first);
            if (maxBatch > 1 && !first.RunsAsIs)
            {
                carried = Gather(batch, maxBatch, delay);
            }

            // RunBatch drops abandoned items from the batch, so the count taken in is the count given back.
            var taken = batch.Count;
            runSlots.Wait();
            try
            {
                Interlocked.Add(ref inFlight, taken);
                RunBatch(batch);
            }
            finally
            {
                Interlocked.Add(ref inFlight, -taken);
                runSlots.Release();
            }
        }
    }

    // Blocks until an item is waiting (true), the queue is completed and empty (false), or the timeout passes (false).
    private bool WaitForItem(TimeSpan timeout)
    {
        var waiting = queue.Reader.WaitToReadAsync();
        if (waiting.IsCompleted)
        {
            return waiting.Result;
        }

        var task = waiting.AsTask();
        return task.Wait(timeout) && task.Result;
    }

    // Adds waiting items of the same shape until the batch is full or the delay since the first item is over;
    // returns an item of another shape that must start the next batch.
    private PendingItem? Gather(List<PendingItem> batch, int maxBatch, TimeSpan delay)
    {
        var deadline = batch[0].Enqueued + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < maxBatch)
        {
            if (queue.Reader.TryRead(out var next))
            {
                if (next.IsAbandoned)
                {
                    continue;
                }

                if (next.RunsAsIs || !next.ItemShape.AsSpan().SequenceEqual(batch[0].ItemShape))
                {
                    return next;
                }

                batch.Add(next);
                continue;
            }

            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0 || !WaitForItem(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency)))
            {
                break;
            }
        }

        return null;
    }

    private void RunBatch(List<PendingItem> batch)
    {
        var started = Stopwatch.GetTimestamp();
        batch.RemoveAll(item => item.IsAbandoned);
        if (batch.Count == 0)
        {
            return;
        }

        // A caller's batch runs on its own buffer as it is and is answered with whole outputs (batch dimension kept);
        // queued items are stacked into a new buffer and each answered with its slice.
        var preformed = batch[0].IsPreformed;
        var count = preformed ? batch[0].Count : batch.Count;
        try
        {
            var (data, shape) = preformed ? (batch[0].Data, [count, .. batch[0].ItemShape]) : Stack(batch);
            Tensor[] outputs;
            var computeStart = Stopwatch.GetTimestamp();
            using (var tensor = Tensor.Create(data, shape))
            {
                outputs = Session.Run([tensor]);
            }

            var compute = Stopwatch.GetElapsedTime(computeStart).TotalMilliseconds;
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var splitStart = Stopwatch.GetTimestamp();
                    var itemOutputs = new ItemOutput[outputs.Length];
                    for (var o = 0; o < outputs.Length; o++)
                    {
                        var name = Session.Outputs[o].Name;
                        itemOutputs[o] = preformed
                            ? ToFloat(name, outputs[o], 0, (int)Tensor.ElementCountOf(outputs[o].Shape), outputs[o].Shape.ToArray())
                            : Slice(name, outputs[o], i, batch.Count);
                    }

                    var item = batch[i];
                    var timing = new InferenceTiming(
                        QueueMs: Stopwatch.GetElapsedTime(item.Enqueued, started).TotalMilliseconds,
                        PreprocessMs: item.PreprocessMs,
                        ComputeMs: compute,
                        PostprocessMs: Stopwatch.GetElapsedTime(splitStart).TotalMilliseconds,
                        BatchSize: count);
                    item.Completion.TrySetResult(new ItemResult(itemOutputs, timing, Session.Provider));
                }
            }
            finally
            {
                foreach (var output in outputs)
                {
                    output.Dispose();
                }
            }

            Interlocked.Add(ref items, count);
            Interlocked.Increment(ref batches);
            InterlockedAdd(ref computeMs, compute);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Model {Model}: a batch of {Count} failed", Spec.DisplayName, count);
            foreach (var item in batch)
            {
                item.Completion.TrySetException(e);
            }
        }
    }

    private (float[] Data, long[] Shape) Stack(List<PendingItem> batch)
    {
        if (batch.Count == 1)
        {
            // A lone item is its own batch: the model reads the caller's array (an input is never written to).
            return (batch[0].Data, BatchMode == BatchMode.None ? batch[0].ItemShape : [1, .. batch[0].ItemShape]);
        }

        var itemLength = batch[0].Data.Length;
        var data = new float[itemLength * batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Data.CopyTo(data.AsSpan(i * itemLength));
        }

        return (data, BatchMode == BatchMode.None ? batch[0].ItemShape : [batch.Count, .. batch[0].ItemShape]);
    }

    // The i-th item's part of a batch output, as float (the engine's item results are float32).
    private ItemOutput Slice(string name, Tensor output, int index, int batchSize)
    {
        var batched = BatchMode != BatchMode.None && output.Shape.Length > 0 && output.Shape[0] == batchSize;
        var shape = batched ? output.Shape[1..].ToArray() : output.Shape.ToArray();
        var length = (int)Tensor.ElementCountOf(shape);
        return ToFloat(name, output, batched ? index * length : 0, length, shape);
    }

    private ItemOutput ToFloat(string name, Tensor output, int offset, int length, long[] shape)
    {
        var data = new float[length];
        switch (output.ElementType)
        {
            case TensorElementType.Float:
                output.AsSpan<float>().Slice(offset, length).CopyTo(data);
                break;
            case TensorElementType.Int64:
                var longs = output.AsSpan<long>().Slice(offset, length);
                for (var i = 0; i < length; i++)
                {
                    data[i] = longs[i];
                }

                break;
            case TensorElementType.Double:
                var doubles = output.AsSpan<double>().Slice(offset, length);
                for (var i = 0; i < length; i++)
                {
                    data[i] = (float)doubles[i];
                }

                break;
            default:
                throw new NotSupportedException($"Model '{Spec.DisplayName}' output '{name}' is {output.ElementType}; the engine reads float32, float64 and int64 outputs.");
        }

        return new ItemOutput(name, data, shape);
    }

    private static void InterlockedAdd(ref double target, double value)
    {
        double seen, updated;
        do
        {
            seen = Volatile.Read(ref target);
            updated = seen + value;
        }
        while (Interlocked.CompareExchange(ref target, updated, seen) != seen);
    }
}

/// <summary>How a model takes batches.</summary>
public enum BatchMode
{
    /// <summary>The first dimension is dynamic: requests are stacked into micro-batches.</summary>
    Dynamic,

    /// <summary>The first dimension is fixed at 1: one request per run.</summary>
    FixedOne,

    /// <summary>No batch dimension: the item is the whole input.</summary>
    None,
}

/// <summary>One queued request.</summary>
internal sealed class PendingItem(float[] data, long[] itemShape, double preprocessMs, CancellationToken cancellationToken, int count = 1, bool alone = false)
{
    public float[] Data { get; } = data;

    /// <summary>Items in <see cref="Data"/>: 1 for a request the batcher may stack, more for a batch formed by the caller.</summary>
    public int Count { get; } = count;

    /// <summary>A batch formed by the caller: run as it is, alone, and answered with whole batch outputs.</summary>
    public bool IsPreformed => Count > 1;

    /// <summary>One item that runs as a batch of one even when others wait (an item being timed on its own).</summary>
    public bool IsAlone { get; } = alone;

    /// <summary>Runs as it came, never stacked with other requests.</summary>
    public bool RunsAsIs => IsPreformed || IsAlone;

    public long[] ItemShape { get; } = itemShape;

    public double PreprocessMs { get; } = preprocessMs;

    public long Enqueued { get; } = Stopwatch.GetTimestamp();

    public TaskCompletionSource<ItemResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Cancelled or already answered: not worth computing.</summary>
    public bool IsAbandoned => CancellationToken.IsCancellationRequested || Completion.Task.IsCompleted;
}
