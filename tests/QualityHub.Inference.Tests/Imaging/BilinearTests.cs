using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public class BilinearTests
{
    [Fact]
    public void Enlarging_2x2_to_4x4_blends_neighbours_at_half_pixel_centres()
    {
        var source = new Image(2, 2, 1, [0, 100, 200, 40]);

        var resized = source.Resize(4, 4);

        // Destination x samples source x (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25; the outer two clamp to the edge.
        // Row 0 is the top source row: 0, 25, 75, 100; row 3 the bottom one: 200, 160, 80, 40.
        // Rows 1 and 2 lie 0.25 and 0.75 of the way down: e.g. 25 + (160 - 25) * 0.25 = 58.75 -> 59.
        byte[] expected =
        [
            0, 25, 75, 100,
            50, 59, 76, 85,
            150, 126, 79, 55,
            200, 160, 80, 40,
        ];
        Assert.Equal(expected, resized.Pixels);
    }

    [Fact]
    public void Halving_4x4_to_2x2_averages_each_2x2_block()
    {
        var source = new Image(4, 4, 1, [.. Enumerable.Range(0, 16).Select(i => (byte)(i * 10))]);

        var resized = source.Resize(2, 2);

        // Destination pixels sample source positions 0.5 and 2.5: the centre of each 2x2 block.
        Assert.Equal([25, 45, 105, 125], resized.Pixels);
    }

    [Fact]
    public void Resizing_to_the_same_size_returns_identical_pixels()
    {
        var random = new Random(7);
        var pixels = new byte[13 * 9 * 4];
        random.NextBytes(pixels);
        var source = new Image(13, 9, 4, pixels);

        var resized = source.Resize(13, 9);

        Assert.Equal(pixels, resized.Pixels);
        Assert.NotSame(source.Pixels, resized.Pixels);
    }

    [Fact]
    public void Each_channel_is_interpolated_on_its_own()
    {
        var source = new Image(2, 1, 3, [0, 200, 40, 100, 0, 40]);

        var resized = source.Resize(4, 1);

        Assert.Equal([0, 200, 40, 25, 150, 40, 75, 50, 40, 100, 0, 40], resized.Pixels);
    }

    [Fact]
    public void Shrinking_more_than_twofold_samples_without_antialiasing()
    {
        var source = new Image(8, 1, 1, [0, 10, 20, 30, 40, 50, 60, 70]);

        var resized = source.Resize(2, 1);

        // Source positions 1.5 and 5.5: only pixels 1-2 and 5-6 contribute, as in cv2.resize with INTER_LINEAR.
        Assert.Equal([15, 55], resized.Pixels);
    }

    [Fact]
    public void Halfway_values_round_up()
    {
        var source = new Image(2, 1, 1, [0, 1]);

        // Destination x = 1 of 3 samples source x 1.5 * 2 / 3 - 0.5 = 0.5: exactly between 0 and 1.
        Assert.Equal([0, 1, 1], source.Resize(3, 1).Pixels);
    }

    [Fact]
    public void A_single_pixel_enlarges_to_a_flat_image()
    {
        var source = new Image(1, 1, 3, [10, 20, 30]);

        var resized = source.Resize(3, 2);

        Assert.Equal([.. Enumerable.Repeat<byte[]>([10, 20, 30], 6).SelectMany(p => p)], resized.Pixels);
    }

    [Fact]
    public void The_span_version_checks_buffer_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => Bilinear.Resize(new byte[4], 2, 2, new byte[15], 4, 4, 1));

        Assert.Contains("16 bytes, not 15", e.Message);
    }
}
