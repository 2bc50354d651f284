using QualityHub.Core.Metrics;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public sealed class QuadCropTests
{
    // A gray image whose pixel (x, y) is (3x + 7y) mod 256: every pixel tells where it came from.
    private static Image Pattern(int width, int height)
    {
        var image = new Image(width, height, 1);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image.Pixels[y * width + x] = (byte)((3 * x + 7 * y) % 256);
            }
        }

        return image;
    }

    [Fact]
    public void An_upright_quad_on_pixel_centres_is_cut_out_exactly()
    {
        var photo = Pattern(60, 40);

        var crop = QuadCrop.Rectify(photo, [new Vertex(10, 5), new Vertex(29, 5), new Vertex(29, 14), new Vertex(10, 14)]);

        Assert.Equal((19, 9), (crop.Width, crop.Height)); // the distances between the corners: columns 10..28, rows 5..13
        for (var y = 0; y < crop.Height; y++)
        {
            for (var x = 0; x < crop.Width; x++)
            {
                Assert.Equal(photo.Pixels[(5 + y) * 60 + 10 + x], crop.Pixels[y * crop.Width + x]);
            }
        }
    }

    [Fact]
    public void A_turned_quad_is_straightened_so_its_corner_and_centre_land_on_the_crops()
    {
        // A 40 x 10 rectangle turned by 30 degrees about (50, 50): its corners in the photo, clockwise from its top-left.
        var photo = Pattern(100, 100);
        var angle = 30 * Math.PI / 180;
        Vertex At(double u, double v) => new((float)(50 + u * Math.Cos(angle) - v * Math.Sin(angle)), (float)(50 + u * Math.Sin(angle) + v * Math.Cos(angle)));
        Vertex[] quad = [At(-20, -5), At(20, -5), At(20, 5), At(-20, 5)];

        var crop = QuadCrop.Rectify(photo, quad);

        Assert.Equal((40, 10), (crop.Width, crop.Height));
        Assert.Equal(photo.Pixels[50 * 100 + 50], crop.Pixels[5 * crop.Width + 20]); // the centre, on a pixel of both
        var corner = photo.Pixels[(int)Math.Round(quad[0].Y) * 100 + (int)Math.Round(quad[0].X)];
        Assert.InRange(crop.Pixels[0], corner - 10, corner + 10); // the top-left, between the photo's pixels
    }

    [Fact]
    public void A_tall_crop_is_a_vertical_line_and_is_turned_to_read_left_to_right()
    {
        var photo = Pattern(60, 60);

        var crop = QuadCrop.Rectify(photo, [new Vertex(10, 5), new Vertex(19, 5), new Vertex(19, 44), new Vertex(10, 44)]);

        Assert.Equal((39, 9), (crop.Width, crop.Height));
        // Columns 10..18 and rows 5..43 of the photo, turned a quarter counter-clockwise: the top-right is now the top-left.
        Assert.Equal(photo.Pixels[5 * 60 + 18], crop.Pixels[0]);
        Assert.Equal(photo.Pixels[43 * 60 + 10], crop.Pixels[crop.Pixels.Length - 1]);
    }

    [Fact]
    public void Corners_that_make_no_quadrilateral_or_no_line_are_refused()
    {
        var photo = Pattern(20, 20);

        Assert.Throws<ArgumentException>(() => QuadCrop.Rectify(photo, [new Vertex(1, 1), new Vertex(5, 1)]));
        Assert.Throws<ArgumentException>(() => QuadCrop.Rectify(photo, [new Vertex(1, 1), new Vertex(1, 1), new Vertex(1, 1), new Vertex(1, 1)]));
        Assert.Throws<ArgumentException>(() => QuadCrop.Rectify(photo, [new Vertex(float.NaN, 1), new Vertex(5, 1), new Vertex(5, 5), new Vertex(1, 5)]));
        Assert.Throws<ArgumentException>(() => QuadCrop.Rectify(photo, [new Vertex(0, 0), new Vertex(1e6f, 0), new Vertex(1e6f, 10), new Vertex(0, 10)]));
    }
}
