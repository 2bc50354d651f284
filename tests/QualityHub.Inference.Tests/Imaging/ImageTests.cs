using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public class ImageTests
{
    [Fact]
    public void ToGray_weights_red_green_and_blue_by_BT601_luma()
    {
        var rgb = new Image(4, 1, 3, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);

        var gray = rgb.ToGray();

        // 0.299 * 255 = 76.2, 0.587 * 255 = 149.7, 0.114 * 255 = 29.1.
        Assert.Equal([76, 150, 29, 255], gray.Pixels);
        Assert.Equal((4, 1, 1), (gray.Width, gray.Height, gray.Channels));
    }

    [Fact]
    public void ToRgb_composites_alpha_over_white()
    {
        var rgba = new Image(4, 1, 4, [0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128, 200, 100, 50, 51]);

        var rgb = rgba.ToRgb();

        // Transparent black shows the white page; half-transparent black is half gray (255 - 128 = 127);
        // 200 at alpha 0.2 gives 200 * 0.2 + 255 * 0.8 = 244, and likewise 224 and 214.
        Assert.Equal([255, 255, 255, 0, 0, 0, 127, 127, 127, 244, 224, 214], rgb.Pixels);
    }

    [Fact]
    public void ToGray_of_RGBA_composites_over_white_before_taking_luma()
    {
        var rgba = new Image(2, 1, 4, [0, 0, 0, 0, 255, 0, 0, 255]);

        Assert.Equal([255, 76], rgba.ToGray().Pixels);
    }

    [Fact]
    public void ToRgb_and_ToRgba_of_gray_replicate_it_and_add_opaque_alpha()
    {
        var gray = new Image(2, 1, 1, [7, 200]);

        Assert.Equal([7, 7, 7, 200, 200, 200], gray.ToRgb().Pixels);
        Assert.Equal([7, 7, 7, 255, 200, 200, 200, 255], gray.ToRgba().Pixels);
        Assert.Equal([1, 2, 3, 255], new Image(1, 1, 3, [1, 2, 3]).ToRgba().Pixels);
    }

    [Fact]
    public void Converting_to_the_format_an_image_already_has_returns_the_same_instance()
    {
        var gray = new Image(1, 1, 1);
        var rgb = new Image(1, 1, 3);
        var rgba = new Image(1, 1, 4);

        Assert.Same(gray, gray.ToGray());
        Assert.Same(rgb, rgb.ToRgb());
        Assert.Same(rgba, rgba.ToRgba());
    }

    [Fact]
    public void GetRow_is_a_view_of_one_row_of_the_pixels()
    {
        var image = new Image(2, 3, 3);

        image.GetRow(1)[5] = 9;

        Assert.Equal(9, image.Pixels[(1 * 6) + 5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetRow(3).Length);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 2)]
    [InlineData(1, 1, 5)]
    public void Images_need_a_positive_size_and_1_3_or_4_channels(int width, int height, int channels)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(width, height, channels));
    }

    [Fact]
    public void Wrapping_pixels_of_the_wrong_length_is_refused_with_the_length_it_needs()
    {
        var e = Assert.Throws<ArgumentException>(() => new Image(3, 2, 3, new byte[17]));

        Assert.Contains("needs 18 bytes, not 17", e.Message);
    }

    [Fact]
    public void A_size_beyond_one_array_is_refused_not_overflowed()
    {
        var e = Assert.Throws<ArgumentException>(() => new Image(65536, 65536, 4));

        Assert.Contains("more than one .NET array", e.Message);
    }
}
