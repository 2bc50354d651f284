using System.Collections.Concurrent;

namespace QualityHub.Inference.Tasks;

/// <summary>
/// Reuses batch input buffers of an exact length. An offline run fills one buffer per batch, thousands a minute, and
/// at 32 Fashion-MNIST images a buffer is already past 85 KB: new ones would each land on the large-object heap and keep
/// the background GC busy on the cores the pipeline needs. Keeps at most <see cref="MaxRetainedBytes"/> in all. A
/// worker reads the batches it is sent into these too.
/// </summary>
public sealed class BatchBufferPool
{
    public const long MaxRetainedBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> free = new();
    private long retainedBytes;

    /// <summary>A buffer of exactly <paramref name="length"/> floats, with whatever an earlier batch left in it.</summary>
    public float[] Rent(int length)
    {
        if (free.TryGetValue(length, out var bag) && bag.TryTake(out var buffer))
        {
            Interlocked.Add(ref retainedBytes, -BytesOf(buffer));
            return buffer;
        }

        return new float[length];
    }

    /// <summary>Gives a buffer back once nothing reads it any more; dropped when the pool holds enough already.</summary>
    public void Return(float[] buffer)
    {
        if (Interlocked.Add(ref retainedBytes, BytesOf(buffer)) > MaxRetainedBytes)
        {
            Interlocked.Add(ref retainedBytes, -BytesOf(buffer));
            return;
        }

        free.GetOrAdd(buffer.Length, static _ => []).Add(buffer);
    }

    /// <summary>Bytes the pool holds for later batches.</summary>
    public long RetainedBytes => Interlocked.Read(ref retainedBytes);

    private static long BytesOf(float[] buffer) => (long)buffer.Length * sizeof(float);
}
