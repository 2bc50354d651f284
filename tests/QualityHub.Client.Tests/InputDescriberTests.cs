namespace QualityHub.Client.Tests;

public sealed class InputDescriberTests
{
    private static byte[] Gray(int width, int height, Func<int, int, byte> value)
    {
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = value(x, y);
            }
        }

        return pixels;
    }

    [Fact]
    public void A_flat_gray_image_has_its_level_as_brightness_and_no_contrast_or_edges()
    {
        var described = InputDescriber.Describe(4, 3, 1, Gray(4, 3, (_, _) => 128));

        Assert.Equal((4, 3), (described.Width, described.Height));
        Assert.Equal(128 / 255.0, described.Brightness, 12);
        Assert.Equal((0.0, 0.0), (described.Contrast, described.Blur));
    }

    [Fact]
    public void A_checkerboard_is_half_bright_with_the_largest_contrast_and_a_laplacian_of_plus_or_minus_four()
    {
        var described = InputDescriber.Describe(4, 4, 1, Gray(4, 4, (x, y) => (x + y) % 2 == 0 ? (byte)0 : (byte)255));

        Assert.Equal(0.5, described.Brightness, 12);
        Assert.Equal(0.5, described.Contrast, 12);
        Assert.Equal(16, described.Blur, 12); // interior values 4 - 8v: -4 and +4, mean 0
    }

    [Fact]
    public void A_linear_ramp_has_contrast_but_no_laplacian_and_colour_counts_by_rec_601_luma()
    {
        var ramp = InputDescriber.Describe(5, 3, 1, Gray(5, 3, (x, _) => (byte)(x * 50)));
        var red = InputDescriber.Describe(2, 2, 3, [255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]);
        var transparentGreen = InputDescriber.Describe(1, 1, 4, [0, 255, 0, 0]);

        Assert.True(ramp.Contrast > 0);
        Assert.Equal(0, ramp.Blur, 12);
        Assert.Equal(0.299, red.Brightness, 12);
        Assert.Equal(0.587, transparentGreen.Brightness, 12); // alpha is ignored
        Assert.Equal(0, transparentGreen.Blur); // under 3 × 3: no interior
    }

    [Fact]
    public void Pixels_that_do_not_make_the_image_are_refused_by_name()
    {
        Assert.Contains("has 12 bytes, not 11", Assert.Throws<ArgumentException>(() => InputDescriber.Describe(2, 2, 3, new byte[11])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => InputDescriber.Describe(2, 2, 2, new byte[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => InputDescriber.Describe(0, 2, 1, []));
    }
}
