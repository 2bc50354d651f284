using Microsoft.Extensions.Options;
using QualityHub.Data.Evaluations;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Tests;

public sealed class DecodedImageCacheTests
{
    private static DecodedImageCache Cache(long megabytes) => new(Options.Create(new EvaluationOptions { ImageCacheMb = megabytes }));

    // 100 KiB of pixels per image: ten fill a 1 MiB cache.
    private static Image Decoded(string sha) => new(320, 320, 1);

    [Fact]
    public void An_image_is_decoded_once_and_then_served_from_the_cache()
    {
        var cache = Cache(1);
        var decodes = 0;

        var first = cache.GetOrDecode("a", sha => { decodes++; return Decoded(sha); });
        var again = cache.GetOrDecode("a", sha => { decodes++; return Decoded(sha); });

        Assert.Same(first, again);
        Assert.Equal(1, decodes);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void When_full_it_keeps_within_its_budget_by_dropping_the_least_recently_used()
    {
        var cache = Cache(1);
        for (var i = 0; i < 9; i++)
        {
            cache.GetOrDecode($"image-{i}", Decoded);
        }

        cache.GetOrDecode("image-0", _ => throw new InvalidOperationException("image-0 should still be cached"));
        for (var i = 9; i < 30; i++)
        {
            cache.GetOrDecode($"image-{i}", Decoded);
            cache.GetOrDecode("image-0", _ => throw new InvalidOperationException("image-0 is used every time and should stay"));
        }

        Assert.InRange(cache.Bytes, 1, 1024 * 1024);
        var decodes = 0;
        cache.GetOrDecode("image-1", sha => { decodes++; return Decoded(sha); });
        Assert.Equal(1, decodes); // one of the oldest, dropped long ago
    }

    [Fact]
    public void A_budget_of_zero_keeps_nothing()
    {
        var cache = Cache(0);
        var decodes = 0;

        cache.GetOrDecode("a", sha => { decodes++; return Decoded(sha); });
        cache.GetOrDecode("a", sha => { decodes++; return Decoded(sha); });

        Assert.Equal(2, decodes);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void An_image_that_fails_to_decode_is_not_cached_and_is_tried_again_next_time()
    {
        var cache = Cache(1);

        Assert.Throws<InvalidImageException>(() => cache.GetOrDecode("broken", _ => throw new InvalidImageException("CRC mismatch")));
        var image = cache.GetOrDecode("broken", Decoded);

        Assert.Equal(320, image.Width);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Many_threads_at_once_keep_its_accounting_exact()
    {
        var cache = Cache(2);
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => cache.GetOrDecode($"image-{i % 60}", Decoded));

        Assert.InRange(cache.Bytes, 1, 2 * 1024 * 1024);
        Assert.Equal(cache.Count * (320L * 320 + 96), cache.Bytes); // what it holds, to the byte
        cache.Clear();
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }
}
