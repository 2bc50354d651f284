using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public class ExifOrientationTests
{
    // Stored 3x2:  1 2 3
    //              4 5 6
    [Theory]
    [InlineData(1, 3, new byte[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData(2, 3, new byte[] { 3, 2, 1, 6, 5, 4 })]
    [InlineData(3, 3, new byte[] { 6, 5, 4, 3, 2, 1 })]
    [InlineData(4, 3, new byte[] { 4, 5, 6, 1, 2, 3 })]
    [InlineData(5, 2, new byte[] { 1, 4, 2, 5, 3, 6 })]
    [InlineData(6, 2, new byte[] { 4, 1, 5, 2, 6, 3 })]
    [InlineData(7, 2, new byte[] { 6, 3, 5, 2, 4, 1 })]
    [InlineData(8, 2, new byte[] { 3, 6, 2, 5, 1, 4 })]
    public void Each_orientation_shows_the_stored_pixels_as_the_EXIF_tag_defines(int orientation, int width, byte[] expected)
    {
        var stored = new Image(3, 2, 1, [1, 2, 3, 4, 5, 6]);

        var upright = ExifOrientation.Apply(stored, orientation);

        Assert.Equal((width, 6 / width), (upright.Width, upright.Height));
        Assert.Equal(expected, upright.Pixels);
    }

    [Fact]
    public void Every_channel_of_a_pixel_moves_together()
    {
        var stored = new Image(2, 1, 3, [1, 2, 3, 4, 5, 6]);

        var upright = ExifOrientation.Apply(stored, 6);

        Assert.Equal((1, 2), (upright.Width, upright.Height));
        Assert.Equal([1, 2, 3, 4, 5, 6], upright.Pixels);
    }
}
