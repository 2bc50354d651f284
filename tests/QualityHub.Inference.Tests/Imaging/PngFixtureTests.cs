using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

/// <summary>
/// Decodes the files make_png_fixtures.py wrote (with its own filters, bit packing and interlacing) and compares them
/// with pixels worked out here from the same two formulas, following the decoder's documented output conventions.
/// </summary>
public class PngFixtureTests
{
    private const int Gray = 0;
    private const int Rgb = 2;
    private const int Palette = 3;
    private const int GrayAlpha = 4;
    private const int Rgba = 6;

    [Theory]
    [InlineData("filter-none-rgb8")]
    [InlineData("filter-sub-rgb8")]
    [InlineData("filter-up-rgb8")]
    [InlineData("filter-average-rgb8")]
    [InlineData("filter-paeth-rgb8")]
    public void Rows_filtered_with_each_filter_type_decode_to_the_original_pixels(string name)
    {
        AssertDecodes(name, 7, 5, Rgb, 8);
    }

    [Fact]
    public void Paeth_filtered_rows_decode_to_the_original_pixels()
    {
        // Paeth is the filter with the most cases (three-way tie-breaking), so it also gets a test of its own.
        var png = File.ReadAllBytes(Path.Combine(PngBytes.FixtureDirectory(), "filter-paeth-rgb8.png"));
        var scanlines = PngBytes.Inflate(PngBytes.Chunks(png).Single(c => c.Type == "IDAT").Data);
        Assert.All(Enumerable.Range(0, 5), row => Assert.Equal(4, scanlines[row * (1 + (7 * 3))]));

        AssertDecodes("filter-paeth-rgb8", 7, 5, Rgb, 8);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Grayscale_below_8_bits_is_unpacked_and_stretched_to_the_full_byte_range(int depth)
    {
        var image = AssertDecodes($"gray{depth}", 13, 5, Gray, depth);

        Assert.Contains(image.Pixels, p => p == 255);
        Assert.All(image.Pixels, p => Assert.Equal(0, p % (255 / ((1 << depth) - 1))));
    }

    [Theory]
    [InlineData("gray8", 7, Gray)]
    [InlineData("rgba8", 7, Rgba)]
    [InlineData("grayalpha8", 7, GrayAlpha)]
    public void Eight_bit_images_decode_sample_for_sample(string name, int width, int colorType)
    {
        AssertDecodes(name, width, 5, colorType, 8);
    }

    [Fact]
    public void Gray_with_alpha_becomes_RGBA_with_the_gray_replicated()
    {
        var image = AssertDecodes("grayalpha8", 7, 5, GrayAlpha, 8);

        Assert.Equal(4, image.Channels);
        Assert.Equal(Sample(3, 2, 0, 8), image.Pixels[((2 * 7) + 3) * 4 + 2]);
        Assert.Equal(Sample(3, 2, 1, 8), image.Pixels[((2 * 7) + 3) * 4 + 3]);
    }

    [Theory]
    [InlineData("gray16", Gray)]
    [InlineData("grayalpha16", GrayAlpha)]
    [InlineData("rgb16", Rgb)]
    [InlineData("rgba16", Rgba)]
    public void Sixteen_bit_samples_are_rounded_to_the_nearest_8_bit_value(string name, int colorType)
    {
        AssertDecodes(name, 7, 5, colorType, 16);
    }

    [Theory]
    [InlineData(1, 13)]
    [InlineData(2, 13)]
    [InlineData(4, 13)]
    [InlineData(8, 7)]
    public void Palette_indices_are_looked_up_in_PLTE(int depth, int width)
    {
        var image = AssertDecodes($"palette{depth}", width, 5, Palette, depth, paletteSize: 1 << depth);

        Assert.Equal(3, image.Channels);
    }

    [Fact]
    public void Palette_tRNS_gives_the_first_entries_their_alpha_and_leaves_the_rest_opaque()
    {
        var image = AssertDecodes("palette4-trns", 13, 5, Palette, 4, paletteSize: 16, paletteAlphas: 5);

        Assert.Equal(4, image.Channels);
        Assert.Contains(image.Pixels.Where((_, i) => i % 4 == 3), a => a == 0);
        Assert.Contains(image.Pixels.Where((_, i) => i % 4 == 3), a => a == 255);
    }

    [Theory]
    [InlineData("gray8-trns", Gray, 8)]
    [InlineData("gray16-trns", Gray, 16)]
    [InlineData("rgb8-trns", Rgb, 8)]
    public void Gray_and_RGB_tRNS_make_pixels_of_exactly_that_colour_transparent(string name, int colorType, int depth)
    {
        var image = AssertDecodes(name, 7, 5, colorType, depth, keyAtOneOne: true);

        Assert.Equal(4, image.Channels);
        Assert.Equal(0, image.Pixels[((1 * 7) + 1) * 4 + 3]);
    }

    [Theory]
    [InlineData("interlaced-rgba8", 11, 9, Rgba, 8, 0, 0)]
    [InlineData("interlaced-rgb16", 11, 9, Rgb, 16, 0, 0)]
    [InlineData("interlaced-gray2", 11, 9, Gray, 2, 0, 0)]
    [InlineData("interlaced-palette4-trns", 11, 9, Palette, 4, 16, 5)]
    [InlineData("interlaced-gray8-1x1", 1, 1, Gray, 8, 0, 0)]
    [InlineData("interlaced-rgb8-3x2", 3, 2, Rgb, 8, 0, 0)]
    public void Adam7_interlaced_images_decode_every_pass_into_place(string name, int width, int height, int colorType, int depth, int paletteSize, int paletteAlphas)
    {
        AssertDecodes(name, width, height, colorType, depth, paletteSize, paletteAlphas);
    }

    [Fact]
    public void Image_data_split_over_several_IDAT_chunks_with_ancillary_chunks_around_decodes()
    {
        var png = File.ReadAllBytes(Path.Combine(PngBytes.FixtureDirectory(), "multi-idat-rgb8.png"));
        var types = PngBytes.Chunks(png).Select(c => c.Type).ToList();
        Assert.Equal(["IHDR", "gAMA", "tEXt", "IDAT", "IDAT", "IDAT", "IDAT", "IDAT", "IEND"], types);

        AssertDecodes("multi-idat-rgb8", 7, 5, Rgb, 8);
    }

    /// <summary>Channel c of pixel (x, y) as the generator stored it (make_png_fixtures.py: sample).</summary>
    private static int Sample(int x, int y, int c, int depth) =>
        (int)((((long)x * 7) + (y * 13) + (c * 29) + (x * y * 3)) * 2459 % (1L << depth));

    private static byte[] PaletteEntry(int k) => [(byte)(k * 40 % 256), (byte)(k * 90 % 256), (byte)(255 - k)];

    private static byte PaletteAlpha(int k) => (byte)(k * 50 % 256);

    /// <summary>Full scale stays full scale: v / (2^depth − 1) of 255, rounded.</summary>
    private static byte To8Bits(int value, int depth) => (byte)Math.Round(value * 255.0 / ((1 << depth) - 1));

    private static Image AssertDecodes(string name, int width, int height, int colorType, int depth, int paletteSize = 0, int paletteAlphas = 0, bool keyAtOneOne = false)
    {
        var image = PngDecoder.Decode(File.ReadAllBytes(Path.Combine(PngBytes.FixtureDirectory(), name + ".png")));

        var expected = Expected(width, height, colorType, depth, paletteSize, paletteAlphas, keyAtOneOne);
        Assert.Equal((width, height, expected.Length / (width * height)), (image.Width, image.Height, image.Channels));
        Assert.Equal(expected, image.Pixels);
        return image;
    }

    private static byte[] Expected(int width, int height, int colorType, int depth, int paletteSize, int paletteAlphas, bool keyAtOneOne)
    {
        var pixels = new List<byte>();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                switch (colorType)
                {
                    case Gray:
                        var g = To8Bits(Sample(x, y, 0, depth), depth);
                        if (keyAtOneOne)
                        {
                            pixels.AddRange([g, g, g, Sample(x, y, 0, depth) == Sample(1, 1, 0, depth) ? (byte)0 : (byte)255]);
                        }
                        else
                        {
                            pixels.Add(g);
                        }

                        break;
                    case Rgb:
                        pixels.AddRange(Enumerable.Range(0, 3).Select(c => To8Bits(Sample(x, y, c, depth), depth)));
                        if (keyAtOneOne)
                        {
                            var transparent = Enumerable.Range(0, 3).All(c => Sample(x, y, c, depth) == Sample(1, 1, c, depth));
                            pixels.Add(transparent ? (byte)0 : (byte)255);
                        }

                        break;
                    case Palette:
                        var index = Sample(x, y, 0, depth);
                        Assert.True(index < paletteSize);
                        pixels.AddRange(PaletteEntry(index));
                        if (paletteAlphas > 0)
                        {
                            pixels.Add(index < paletteAlphas ? PaletteAlpha(index) : (byte)255);
                        }

                        break;
                    case GrayAlpha:
                        var gray = To8Bits(Sample(x, y, 0, depth), depth);
                        pixels.AddRange([gray, gray, gray, To8Bits(Sample(x, y, 1, depth), depth)]);
                        break;
                    default:
                        pixels.AddRange(Enumerable.Range(0, 4).Select(c => To8Bits(Sample(x, y, c, depth), depth)));
                        break;
                }
            }
        }

        return [.. pixels];
    }
}
