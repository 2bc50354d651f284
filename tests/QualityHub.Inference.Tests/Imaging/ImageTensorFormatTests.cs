using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public class ImageTensorFormatTests
{
    // Two RGB pixels side by side: (1, 2, 3) and (4, 5, 6).
    private static readonly Image TwoPixels = new(2, 1, 3, [1, 2, 3, 4, 5, 6]);

    [Fact]
    public void NCHW_writes_one_plane_per_channel()
    {
        var format = new ImageTensorFormat(TensorLayout.Nchw, 3);
        var tensor = new float[6];

        format.Write(TwoPixels, tensor);

        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], tensor);
    }

    [Fact]
    public void NHWC_keeps_each_pixels_channels_together()
    {
        var format = new ImageTensorFormat(TensorLayout.Nhwc, 3);
        var tensor = new float[6];

        format.Write(TwoPixels, tensor);

        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], tensor);
    }

    [Fact]
    public void Values_are_pixel_times_scale_minus_mean_over_std_per_channel()
    {
        var format = new ImageTensorFormat(TensorLayout.Nhwc, 3, [1f, 2f, 0.5f], [1f, 0f, 3f], [2f, 4f, 0.5f]);
        var tensor = new float[6];

        format.Write(TwoPixels, tensor);

        // R: (1·1 − 1) / 2 = 0, (4·1 − 1) / 2 = 1.5; G: 2·2 / 4 = 1, 5·2 / 4 = 2.5; B: (3·0.5 − 3) / 0.5 = −3, (6·0.5 − 3) / 0.5 = 0.
        Assert.Equal([0f, 1f, -3f, 1.5f, 2.5f, 0f], tensor);
    }

    [Theory]
    [InlineData(TensorLayout.Nchw, 1)]
    [InlineData(TensorLayout.Nhwc, 1)]
    [InlineData(TensorLayout.Nchw, 3)]
    [InlineData(TensorLayout.Nhwc, 3)]
    public void Every_pixel_of_an_image_with_the_formats_channels_lands_where_its_layout_puts_it(TensorLayout layout, int channels)
    {
        var (width, height) = (17, 13);
        var pixels = new byte[width * height * channels];
        new Random(7).NextBytes(pixels);
        float[] scale = [0.5f, 2f, 1f / 255f], mean = [3f, 0.25f, 0.406f], std = [1.5f, 0.75f, 0.225f];
        var format = new ImageTensorFormat(layout, channels, scale.AsSpan(0, channels), mean.AsSpan(0, channels), std.AsSpan(0, channels));
        var tensor = new float[(width * height * channels) + 5];
        Array.Fill(tensor, float.NaN);

        Assert.Equal(width * height * channels, format.Write(new Image(width, height, channels, pixels), tensor));

        var plane = width * height;
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < channels; c++)
            {
                var at = layout == TensorLayout.Nchw ? (c * plane) + i : (i * channels) + c;
                Assert.Equal(((pixels[(i * channels) + c] * scale[c]) - mean[c]) / std[c], tensor[at]);
            }
        }

        Assert.All(tensor[^5..], v => Assert.True(float.IsNaN(v))); // nothing written past the image
    }

    [Fact]
    public void The_ImageNet_format_scales_to_unit_range_then_normalises()
    {
        var image = new Image(1, 1, 3, [255, 0, 128]);
        var tensor = new float[3];

        ImageTensorFormat.ImageNet(TensorLayout.Nchw).Write(image, tensor);

        Assert.Equal((1f - 0.485f) / 0.229f, tensor[0], 5);
        Assert.Equal((0f - 0.456f) / 0.224f, tensor[1], 5);
        Assert.Equal(((128f / 255f) - 0.406f) / 0.225f, tensor[2], 5);
    }

    [Fact]
    public void A_batch_is_filled_item_by_item_in_one_buffer_without_touching_the_rest()
    {
        var format = new ImageTensorFormat(TensorLayout.Nchw, 1, scale: 1f / 255f);
        var first = new Image(2, 2, 1, [0, 51, 102, 255]);
        var second = new Image(2, 2, 1, [255, 255, 0, 0]);
        var batch = new float[(2 * 4) + 1];
        batch[^1] = -7f;

        var written = format.Write(first, batch);
        format.Write(second, batch.AsSpan(written));

        Assert.Equal(4, written);
        Assert.Equal(4, format.ElementCount(2, 2));
        var scale = 1f / 255f;
        Assert.Equal([0f, 51 * scale, 102 * scale, 255 * scale, 255 * scale, 255 * scale, 0f, 0f, -7f], batch);
    }

    [Fact]
    public void Gray_images_fill_three_channel_tensors_with_the_gray_repeated()
    {
        var format = new ImageTensorFormat(TensorLayout.Nchw, 3);
        var tensor = new float[6];

        format.Write(new Image(2, 1, 1, [10, 20]), tensor);

        Assert.Equal([10f, 20f, 10f, 20f, 10f, 20f], tensor);
    }

    [Fact]
    public void Colour_images_fill_one_channel_tensors_with_luma_and_alpha_over_white()
    {
        var format = new ImageTensorFormat(TensorLayout.Nhwc, 1);
        var rgb = new Image(1, 1, 3, [255, 0, 0]);
        var rgba = new Image(2, 1, 4, [0, 0, 0, 0, 0, 0, 255, 255]);
        var tensor = new float[2];

        format.Write(rgb, tensor);
        Assert.Equal(76f, tensor[0]);

        format.Write(rgba, tensor);
        Assert.Equal([255f, 29f], tensor);
    }

    [Fact]
    public void RGBA_images_fill_RGB_tensors_composited_over_white()
    {
        var format = new ImageTensorFormat(TensorLayout.Nhwc, 3);
        var tensor = new float[3];

        format.Write(new Image(1, 1, 4, [200, 100, 50, 51]), tensor);

        Assert.Equal([244f, 224f, 214f], tensor);
    }

    [Fact]
    public void A_destination_too_small_for_the_image_is_refused_before_writing()
    {
        var format = new ImageTensorFormat(TensorLayout.Nchw, 3);
        var tensor = new float[5];

        var e = Assert.Throws<ArgumentException>(() => format.Write(TwoPixels, tensor));

        Assert.Contains("needs 6 floats; the destination has 5", e.Message);
        Assert.All(tensor, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Formats_need_1_or_3_channels_a_nonzero_std_and_one_value_per_channel_or_one_for_all()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageTensorFormat(TensorLayout.Nchw, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageTensorFormat((TensorLayout)9, 3));
        Assert.Contains("std non-zero", Assert.Throws<ArgumentException>(() => new ImageTensorFormat(TensorLayout.Nchw, 1, std: 0f)).Message);
        Assert.Contains("not 2", Assert.Throws<ArgumentException>(() => new ImageTensorFormat(TensorLayout.Nchw, 3, [1f], [0f, 0f], [1f])).Message);
        Assert.Equal([0.5f, 0.5f, 0.5f], new ImageTensorFormat(TensorLayout.Nchw, 3, mean: 0.5f).Mean);
    }
}
