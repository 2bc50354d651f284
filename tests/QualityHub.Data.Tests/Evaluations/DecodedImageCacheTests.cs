using Microsoft.Extensions.Options;
using QualityHub.Data.Evaluations;
using QualityHub.Inference.Imaging;

namespace QualityHub.Data.Tests.Evaluations;

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

    [Fact]
    public void A_cached_images_encoded_bytes_are_read_once_and_counted_in_its_budget()
    {
        var cache = Cache(1);
        cache.GetOrDecode("a", Decoded);
        var pixelsOnly = cache.Bytes;
        var reads = 0;
        byte[] Read(string sha)
        {
            reads++;
            return new byte[1000];
        }

        var first = cache.EncodedOf("a", Read);
        var again = cache.EncodedOf("a", Read);

        Assert.Same(first, again);
        Assert.Equal(1, reads);
        Assert.Equal(pixelsOnly + 1000, cache.Bytes);
        cache.Clear();
        Assert.Equal(0, cache.Bytes);
        cache.EncodedOf("a", Read);
        Assert.Equal(2, reads); // dropped with its image
    }

    [Fact]
    public void The_bytes_of_an_image_the_cache_does_not_hold_are_read_every_time_and_not_kept()
    {
        var cache = Cache(1);
        var reads = 0;

        cache.EncodedOf("never-decoded", _ => new byte[++reads]);
        cache.EncodedOf("never-decoded", _ => new byte[++reads]);

        Assert.Equal(2, reads);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Kept_bytes_that_push_the_cache_over_its_budget_are_trimmed_with_the_oldest_images()
    {
        var cache = Cache(1);
        for (var i = 0; i < 9; i++)
        {
            cache.GetOrDecode($"image-{i}", Decoded);
        }

        for (var i = 0; i < 9; i++)
        {
            cache.EncodedOf($"image-{i}", _ => new byte[50 * 1024]); // 9 × 150 KiB in all: past 1 MiB
        }

        Assert.InRange(cache.Bytes, 1, 1024 * 1024);
    }
}
