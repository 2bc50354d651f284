using System.Buffers.Binary;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tests.Imaging;

public class PngEncoderTests
{
    public static TheoryData<int, PngFilterMode> ChannelsAndFilters()
    {
        var data = new TheoryData<int, PngFilterMode>();
        foreach (var channels in new[] { 1, 3, 4 })
        {
            foreach (var mode in Enum.GetValues<PngFilterMode>())
            {
                data.Add(channels, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ChannelsAndFilters))]
    public void Encoding_then_decoding_gives_back_the_exact_pixels(int channels, PngFilterMode filter)
    {
        var image = Noise(37, 23, channels, seed: channels);

        var decoded = PngDecoder.Decode(PngEncoder.Encode(image, filter));

        Assert.Equal((image.Width, image.Height, image.Channels), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_single_pixel_image_round_trips(int channels)
    {
        var image = Noise(1, 1, channels, seed: 5);

        Assert.Equal(image.Pixels, PngDecoder.Decode(PngEncoder.Encode(image)).Pixels);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void The_header_is_8_bit_with_the_colour_type_of_the_channels(int channels, int colorType)
    {
        var png = PngEncoder.Encode(new Image(300, 2, channels));

        var chunks = PngBytes.Chunks(png);
        var ihdr = chunks[0].Data;
        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal(300, BinaryPrimitives.ReadInt32BigEndian(ihdr));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal([8, (byte)colorType, 0, 0, 0], ihdr[8..]);
        Assert.Equal(("IEND", 0), (chunks[^1].Type, chunks[^1].Data.Length));
    }

    [Fact]
    public void Large_images_are_written_as_several_IDAT_chunks_each_with_a_correct_CRC()
    {
        // Noise does not compress, so 160 KB of pixels needs three 64 KiB chunks.
        var image = Noise(200, 200, 4, seed: 11);

        var png = PngEncoder.Encode(image, PngFilterMode.None);

        var chunks = PngBytes.Chunks(png);
        Assert.Equal(["IHDR", "IDAT", "IDAT", "IDAT", "IEND"], chunks.Select(c => c.Type));
        Assert.Equal(64 * 1024, chunks[1].Data.Length);
        Assert.Equal(image.Pixels, PngDecoder.Decode(png).Pixels);
    }

    [Fact]
    public void Adaptive_filtering_picks_Sub_for_a_ramp_and_Up_for_a_row_like_the_one_above()
    {
        var image = new Image(50, 4, 1);
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 50; x++)
            {
                image.Pixels[(y * 50) + x] = (byte)(x * 3);
            }
        }

        var png = PngEncoder.Encode(image);

        // Row 0 under Sub is all 3s, the smallest sum; later rows repeat the row above, so Up leaves zeros.
        var scanlines = PngBytes.Inflate(PngBytes.Chunks(png).Single(c => c.Type == "IDAT").Data);
        Assert.Equal([1, 2, 2, 2], Enumerable.Range(0, 4).Select(y => scanlines[y * 51]));
    }

    [Theory]
    [InlineData(PngFilterMode.Sub, 1)]
    [InlineData(PngFilterMode.Paeth, 4)]
    public void A_fixed_filter_is_used_on_every_row(PngFilterMode filter, byte type)
    {
        var png = PngEncoder.Encode(Noise(5, 3, 3, seed: 2), filter);

        var scanlines = PngBytes.Inflate(PngBytes.Chunks(png).Single(c => c.Type == "IDAT").Data);
        Assert.All(Enumerable.Range(0, 3), y => Assert.Equal(type, scanlines[y * 16]));
    }

    [Fact]
    public void Writing_to_a_stream_leaves_it_open_and_positioned_after_IEND()
    {
        using var stream = new MemoryStream();
        stream.Write("prefix"u8);
        var image = Noise(4, 4, 3, seed: 3);

        PngEncoder.Encode(image, stream);

        stream.Position = 6;
        Assert.Equal(image.Pixels, PngDecoder.Decode(stream).Pixels);
        Assert.Equal(stream.Length, stream.Position);
    }

    private static Image Noise(int width, int height, int channels, int seed)
    {
        var pixels = new byte[width * height * channels];
        new Random(seed).NextBytes(pixels);
        return new Image(width, height, channels, pixels);
    }
}
