using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Evaluations;

/// <summary>
/// Decoded sample images by content hash, shared by the evaluation runs of this process. A test set is evaluated
/// again and again, once per candidate and release, and reading and decoding its files costs a small model more than
/// its inference does (a 28×28 PNG: about 19 µs to open, read and decode, against 32 µs of compute). Content-addressed,
/// so an entry is never stale; holds at most <see cref="EvaluationOptions.ImageCacheMb"/>, dropping the least recently
/// used quarter when full. Cached images are shared: callers must not change their pixels (resizing and channel
/// conversion make new images).
/// </summary>
public sealed class DecodedImageCache(IOptions<EvaluationOptions> options)
{
    private const long EntryOverheadBytes = 96;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Lock trimming = new();
    private long bytes;
    private long clock;

    /// <summary>Bytes of pixels (and bookkeeping) held now.</summary>
    public long Bytes => Interlocked.Read(ref bytes);

    public int Count => entries.Count;

    public bool Contains(string sha256) => entries.ContainsKey(sha256);

    private long Budget => options.Value.ImageCacheMb * 1024L * 1024L;

    /// <summary>The cached image of <paramref name="sha256"/>, or <paramref name="decode"/>'s, which is then kept when it fits.</summary>
    public Image GetOrDecode(string sha256, Func<string, Image> decode)
    {
        var now = Interlocked.Increment(ref clock);
        if (entries.TryGetValue(sha256, out var hit))
        {
            Volatile.Write(ref hit.LastUsed, now);
            return hit.Image;
        }

        var image = decode(sha256);
        var size = image.Pixels.LongLength + EntryOverheadBytes;
        if (size > Budget / 4)
        {
            return image; // one image would push out a quarter of the cache: not worth keeping
        }

        if (entries.TryAdd(sha256, new Entry(image, size, now)) && Interlocked.Add(ref bytes, size) > Budget)
        {
            Trim();
        }

        return image;
    }

    /// <summary>
    /// The encoded bytes of a cached image, read with <paramref name="read"/> the first time and then kept with it (in
    /// the same budget, dropped with it): a run times its first inputs from their bytes, and on this kind of machine
    /// opening and reading a small file costs several times its decoding. Not kept for an image the cache does not hold.
    /// </summary>
    public byte[] EncodedOf(string sha256, Func<string, byte[]> read)
    {
        if (!entries.TryGetValue(sha256, out var entry))
        {
            return read(sha256);
        }

        if (Volatile.Read(ref entry.Encoded) is { } kept)
        {
            return kept;
        }

        var encoded = read(sha256);
        lock (trimming)
        {
            // Attached only while the entry is still cached, so that its bytes are counted exactly while they are held.
            if (entries.TryGetValue(sha256, out var current) && ReferenceEquals(current, entry) && entry.Encoded is null)
            {
                entry.Encoded = encoded;
                entry.Size += encoded.LongLength;
                Interlocked.Add(ref bytes, encoded.LongLength);
            }
        }

        if (Interlocked.Read(ref bytes) > Budget)
        {
            Trim();
        }

        return encoded;
    }

    /// <summary>Forgets everything (the images stay valid for whoever holds them).</summary>
    public void Clear()
    {
        lock (trimming)
        {
            foreach (var (sha, entry) in entries)
            {
                if (entries.TryRemove(sha, out _))
                {
                    Interlocked.Add(ref bytes, -entry.Size);
                }
            }
        }
    }

    private void Trim()
    {
        lock (trimming)
        {
            var budget = Budget;
            if (Interlocked.Read(ref bytes) <= budget)
            {
                return;
            }

            var target = budget * 3 / 4;
            foreach (var (sha, entry) in entries.ToArray().OrderBy(e => Volatile.Read(ref e.Value.LastUsed)))
            {
                if (Interlocked.Read(ref bytes) <= target)
                {
                    break;
                }

                if (entries.TryRemove(sha, out _))
                {
                    Interlocked.Add(ref bytes, -entry.Size);
                }
            }
        }
    }

    private sealed class Entry(Image image, long size, long lastUsed)
    {
        public long LastUsed = lastUsed;
        public byte[]? Encoded;

        public Image Image { get; } = image;

        /// <summary>The pixels, the encoded bytes once kept, and bookkeeping; changed only under the trimming lock.</summary>
        public long Size { get; set; } = size;
    }
}
