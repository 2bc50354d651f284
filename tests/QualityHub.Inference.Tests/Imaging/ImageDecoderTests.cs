using System.Buffers.Binary;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

/// <summary>
/// Decodes the files make_image_fixtures.py wrote with Pillow. Most hold the 32x16 "quadrants" picture: red top-left,
/// blue top-right, green bottom-left, white bottom-right, each 16x8.
/// </summary>
public class ImageDecoderTests
{
    private static readonly byte[] Red = [255, 0, 0];
    private static readonly byte[] Blue = [0, 0, 255];
    private static readonly byte[] Green = [0, 255, 0];
    private static readonly byte[] White = [255, 255, 255];

    [Theory]
    [InlineData("quadrants.jpg", 12)]
    [InlineData("quadrants-cmyk.jpg", 12)]
    [InlineData("quadrants.webp", 0)]
    [InlineData("quadrants.bmp", 0)]
    public void Colour_formats_decode_to_opaque_RGB(string name, int tolerance)
    {
        var image = ImageDecoder.Decode(Fixture(name));

        Assert.Equal((32, 16, 3), (image.Width, image.Height, image.Channels));
        AssertQuadrants(image, Red, Blue, Green, White, tolerance);
    }

    [Fact]
    public void A_gray_JPEG_stays_one_channel()
    {
        var image = ImageDecoder.Decode(Fixture("quadrants-gray.jpg"));

        Assert.Equal((32, 16, 1), (image.Width, image.Height, image.Channels));

        // Pillow's BT.601 luma of red, blue, green and white.
        AssertQuadrants(image, [76], [29], [150], [255], tolerance: 12);
    }

    [Theory]
    [InlineData(3, 32, 16)]
    [InlineData(6, 16, 32)]
    [InlineData(8, 16, 32)]
    public void A_JPEG_is_turned_upright_by_its_EXIF_orientation(int orientation, int width, int height)
    {
        var image = ImageDecoder.Decode(Fixture($"quadrants-exif{orientation}.jpg"));

        Assert.Equal((width, height, 3), (image.Width, image.Height, image.Channels));
        switch (orientation)
        {
            case 3:
                AssertQuadrants(image, White, Green, Blue, Red, tolerance: 12);
                break;
            case 6:
                // Turned a quarter clockwise: the stored left column is now the top row.
                AssertQuadrants(image, Green, Red, White, Blue, tolerance: 12);
                break;
            default:
                AssertQuadrants(image, Blue, White, Red, Green, tolerance: 12);
                break;
        }
    }

    [Fact]
    public void An_animated_GIF_gives_its_first_frame()
    {
        var image = ImageDecoder.Decode(Fixture("animated.gif"));

        Assert.Equal((4, 4), (image.Width, image.Height));
        Assert.All(image.ToRgb().Pixels.Chunk(3), pixel => Assert.Equal(Red, pixel));
    }

    [Fact]
    public void A_16_bit_PNG_is_rounded_to_8_bits_and_stays_gray()
    {
        var image = ImageDecoder.Decode(Fixture("gray16-4x1.png"));

        Assert.Equal((4, 1, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal([0, 255, 100, 200], image.Pixels);
    }

    [Fact]
    public void A_stream_decodes_like_the_same_bytes()
    {
        using var stream = new MemoryStream(Fixture("quadrants.webp"));

        Assert.Equal(ImageDecoder.Decode(Fixture("quadrants.webp")).Pixels, ImageDecoder.Decode(stream).Pixels);
    }

    [Fact]
    public void A_truncated_JPEG_is_refused_as_truncated()
    {
        // Cut half-way through the scan data, after a complete header.
        var jpeg = Fixture("quadrants.jpg");
        var scan = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);

        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(jpeg[..((scan + jpeg.Length) / 2)]));

        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Bytes_of_no_image_format_are_refused_with_the_formats_accepted()
    {
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode("this is a text file, not an image"u8.ToArray()));

        Assert.Contains("JPEG, PNG, WebP, BMP or GIF", e.Message);
    }

    [Fact]
    public void Empty_bytes_are_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode([]));

        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void A_format_Skia_reads_but_we_do_not_accept_is_refused_by_name()
    {
        // A 2x2 WBMP: type 0, fixed header 0, width 2, height 2, then one byte per row.
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode([0, 0, 2, 2, 0xC0, 0xC0]));

        Assert.Equal("Wbmp images are not accepted; use JPEG, PNG, WebP, BMP or GIF.", e.Message);
    }

    [Fact]
    public void A_JPEG_declaring_60000_by_60000_pixels_is_refused_from_its_header_with_the_limit()
    {
        var bomb = WithDeclaredSize(Fixture("quadrants.jpg"), 60000, 60000);

        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(bomb));

        Assert.Equal($"The Jpeg image is 60000x60000 = 3,600,000,000 pixels, more than the limit of {ImageDecoder.DefaultMaxPixels:N0} pixels.", e.Message);
    }

    [Fact]
    public void An_image_over_the_limit_is_refused_before_its_pixels_are_allocated()
    {
        // 5000x5000 RGBA would be 100 MB of managed pixels; the header check must come first.
        var bomb = WithDeclaredSize(Fixture("quadrants.jpg"), 5000, 5000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(bomb, maxPixels: 1_000_000));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Fact]
    public void An_image_at_the_limit_is_accepted_and_one_pixel_over_it_is_refused()
    {
        var jpeg = Fixture("quadrants.jpg");

        Assert.Equal(32, ImageDecoder.Decode(jpeg, maxPixels: 512).Width);
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(jpeg, maxPixels: 511));
    }

    [Fact]
    public void AsPng_keeps_a_PNG_as_it_came_and_turns_anything_else_into_the_PNG_of_its_pixels()
    {
        var png = Fixture("gray16-4x1.png");
        var jpeg = Fixture("quadrants-exif6.jpg");
        var upright = ImageDecoder.Decode(jpeg);

        var stored = ImageDecoder.AsPng(jpeg, upright);

        Assert.Same(png, ImageDecoder.AsPng(png, ImageDecoder.Decode(png)));
        Assert.True(ImageDecoder.IsPng(stored));
        Assert.Equal(upright.Pixels, ImageDecoder.Decode(stored).Pixels);
        Assert.Equal((16, 32), (ImageDecoder.Decode(stored).Width, ImageDecoder.Decode(stored).Height));
    }

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(PngBytes.FixtureDirectory(), name));

    // Rewrites the height and width of the JPEG's start-of-frame segment (FF C0 length precision height width).
    private static byte[] WithDeclaredSize(byte[] jpeg, ushort width, ushort height)
    {
        var copy = (byte[])jpeg.Clone();
        var at = 2;
        while (copy[at + 1] is not (0xC0 or 0xC2))
        {
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(at + 2));
        }

        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(at + 5), height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(at + 7), width);
        return copy;
    }

    private static void AssertQuadrants(Image image, byte[] topLeft, byte[] topRight, byte[] bottomLeft, byte[] bottomRight, int tolerance)
    {
        var (w, h) = (image.Width, image.Height);
        AssertPixel(image, w / 4, h / 4, topLeft, tolerance);
        AssertPixel(image, w * 3 / 4, h / 4, topRight, tolerance);
        AssertPixel(image, w / 4, h * 3 / 4, bottomLeft, tolerance);
        AssertPixel(image, w * 3 / 4, h * 3 / 4, bottomRight, tolerance);
    }

    private static void AssertPixel(Image image, int x, int y, byte[] expected, int tolerance)
    {
        var actual = image.GetRow(y).Slice(x * image.Channels, image.Channels).ToArray();
        Assert.True(
            actual.Length == expected.Length && actual.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= tolerance),
            $"pixel ({x}, {y}) is [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}] ± {tolerance}");
    }
}
