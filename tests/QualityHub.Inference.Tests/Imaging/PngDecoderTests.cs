using System.Buffers.Binary;
using QualityHub.Inference.Imaging;
using static QualityHub.Inference.Tests.Imaging.PngBytes;

namespace QualityHub.Inference.Tests.Imaging;

/// <summary>PNGs built byte by byte: what the decoder accepts, and the specific message for each way a file can be wrong.</summary>
public class PngDecoderTests
{
    private static readonly byte[] ValidPng = Gray8(5, 4, (x, y) => (byte)((x * 50) + y));

    [Fact]
    public void A_minimal_hand_built_gray_PNG_decodes()
    {
        var image = PngDecoder.Decode(ValidPng);

        Assert.Equal((5, 4, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal(203, image.Pixels[(3 * 5) + 4]);
    }

    [Fact]
    public void A_stream_that_cannot_seek_decodes_and_is_read_only_up_to_IEND()
    {
        var second = Gray8(2, 2, (x, y) => 77);
        using var stream = new NonSeekableStream([.. ValidPng, .. second]);

        var first = PngDecoder.Decode(stream);
        var next = PngDecoder.Decode(stream);

        Assert.Equal(5, first.Width);
        Assert.All(next.Pixels, p => Assert.Equal(77, p));
    }

    [Fact]
    public void Bytes_after_IEND_are_ignored()
    {
        var image = PngDecoder.Decode([.. ValidPng, .. "trailing garbage"u8.ToArray()]);

        Assert.Equal(5, image.Width);
    }

    [Fact]
    public void Unknown_ancillary_chunks_are_skipped()
    {
        var png = Png(Ihdr(1, 1), Chunk("quUX", [1, 2, 3]), Idat([0, 42]), Chunk("zzZZ", []), Iend());

        Assert.Equal([42], PngDecoder.Decode(png).Pixels);
    }

    [Fact]
    public void Paeth_breaks_a_tie_between_above_and_upper_left_towards_above()
    {
        // Second row, second pixel: left a = 13, above b = 4, upper-left c = 10; estimate a + b - c = 7 is 6 from a,
        // 3 from b and 3 from c. The tie goes to b, so the byte 46 means 4 + 46 = 50 (choosing c would give 56).
        // The first pixel has no left neighbour, so Paeth predicts the byte above: 10 + 3 = 13.
        var png = Png(Ihdr(2, 2), Idat([0, 10, 4, 4, 3, 46]), Iend());

        Assert.Equal([10, 4, 13, 50], PngDecoder.Decode(png).Pixels);
    }

    [Fact]
    public void Something_that_is_not_a_PNG_is_named_as_such()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode("GIF89a\x01\x00\x01\x00"u8.ToArray()));

        Assert.Equal("Not a PNG file: it starts with 47494638, not the PNG signature 89504E47.", e.Message);
    }

    [Fact]
    public void A_signature_mangled_by_a_text_mode_transfer_is_reported_as_such()
    {
        // CR LF turned into LF: the classic corruption the signature is designed to reveal.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0A, 0x1A, 0x0A, .. ValidPng[8..]];

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("Bad PNG signature 89504E470A1A0A", e.Message);
        Assert.Contains("text-mode transfer", e.Message);
    }

    [Fact]
    public void An_empty_file_is_not_a_PNG()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode([]));

        Assert.Equal("Not a PNG file: it is empty.", e.Message);
    }

    [Fact]
    public void Every_truncation_of_a_valid_PNG_is_reported_as_truncated()
    {
        for (var length = 1; length < ValidPng.Length; length++)
        {
            var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(ValidPng[..length]));
            Assert.StartsWith("PNG is truncated", e.Message);
        }
    }

    [Theory]
    [InlineData("IHDR", 8)]
    [InlineData("IDAT", 33)]
    [InlineData("IEND", -12)]
    public void A_flipped_bit_in_any_chunk_fails_its_CRC(string type, int chunkOffset)
    {
        var png = ValidPng.ToArray();
        var at = chunkOffset >= 0 ? chunkOffset : png.Length + chunkOffset;
        Assert.Equal(type, System.Text.Encoding.ASCII.GetString(png, at + 4, 4));
        png[at + 8 + (type == "IEND" ? 0 : 3)] ^= 0x10;

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith($"CRC mismatch in chunk '{type}' at offset {at}", e.Message);
    }

    [Fact]
    public void A_bad_CRC_in_an_ancillary_chunk_is_still_an_error()
    {
        var text = Chunk("tEXt", "Comment\0hello"u8.ToArray());
        text[^1] ^= 1;
        var png = Png(Ihdr(1, 1), text, Idat([0, 1]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("CRC mismatch in chunk 'tEXt'", e.Message);
    }

    [Fact]
    public void A_huge_declared_size_is_refused_before_anything_is_allocated()
    {
        var png = Png(Ihdr(100_000, 100_000, 16, 6), Idat([0]), Iend());
        PngDecoder.Decode(ValidPng);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("The image is 100000x100000 = 10000000000 pixels, more than the limit of 67108864 pixels; it is refused before decoding.", e.Message);
        Assert.True(allocated < 100_000, $"{allocated} bytes were allocated");
    }

    [Fact]
    public void A_size_damaged_after_the_CRC_was_written_is_reported_as_damage_not_as_too_large()
    {
        var png = ValidPng.ToArray();
        png[16] = 0x7F;

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("CRC mismatch in chunk 'IHDR'", e.Message);
    }

    [Fact]
    public void The_pixel_limit_is_the_callers_to_choose()
    {
        var png = Gray8(10, 10, (x, y) => 0);

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png, maxPixels: 99));

        Assert.Contains("more than the limit of 99 pixels", e.Message);
        Assert.Equal(100, PngDecoder.Decode(png, maxPixels: 100).Pixels.Length);
    }

    [Theory]
    [InlineData(0u, 5u)]
    [InlineData(5u, 0u)]
    public void A_zero_width_or_height_is_refused(uint width, uint height)
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(width, height), Idat([0]), Iend())));

        Assert.Equal($"IHDR declares a {width}x{height} image; width and height must be at least 1.", e.Message);
    }

    [Fact]
    public void A_side_beyond_2_to_the_31_is_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(0x8000_0000, 1), Idat([0]), Iend())));

        Assert.Contains("at most 2^31-1 pixels on a side", e.Message);
    }

    [Theory]
    [InlineData(8, 5, 0, 0, 0, "IHDR colour type 5 is not defined by PNG")]
    [InlineData(16, 3, 0, 0, 0, "IHDR bit depth 16 is not allowed for colour type 3 (palette); allowed: 1, 2, 4, 8.")]
    [InlineData(3, 0, 0, 0, 0, "IHDR bit depth 3 is not allowed for colour type 0 (grayscale)")]
    [InlineData(4, 2, 0, 0, 0, "IHDR bit depth 4 is not allowed for colour type 2 (RGB); allowed: 8, 16.")]
    [InlineData(8, 0, 1, 0, 0, "IHDR compression method 1 is unknown")]
    [InlineData(8, 0, 0, 1, 0, "IHDR filter method 1 is unknown")]
    [InlineData(8, 0, 0, 0, 2, "IHDR interlace method 2 is unknown")]
    public void Invalid_IHDR_fields_are_named(int depth, int colorType, int compression, int filter, int interlace, string message)
    {
        var png = Png(Ihdr(1, 1, (byte)depth, (byte)colorType, (byte)interlace, (byte)compression, (byte)filter), Idat([0, 0]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void An_IHDR_of_the_wrong_length_is_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Chunk("IHDR", new byte[12]), Iend())));

        Assert.Equal("The IHDR chunk must hold 13 bytes, but it declares 12.", e.Message);
    }

    [Fact]
    public void The_first_chunk_must_be_IHDR()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Idat([0, 0]), Ihdr(1, 1), Iend())));

        Assert.Equal("The first chunk must be IHDR, but it is 'IDAT'.", e.Message);
    }

    [Fact]
    public void A_second_IHDR_is_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(1, 1), Ihdr(1, 1), Idat([0, 0]), Iend())));

        Assert.StartsWith("A second IHDR chunk", e.Message);
    }

    [Fact]
    public void An_unknown_critical_chunk_is_refused_by_name()
    {
        var png = Png(Ihdr(1, 1), Chunk("ABCD", [1]), Idat([0, 0]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("Unknown critical chunk 'ABCD' at offset 33: the image cannot be decoded without understanding it.", e.Message);
    }

    [Fact]
    public void A_chunk_type_that_is_not_four_letters_means_corruption()
    {
        var png = Png(Ihdr(1, 1), Chunk("ID\0T", [0]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("Chunk at offset 33 has type bytes 49440054, which are not four ASCII letters: the PNG is corrupt.", e.Message);
    }

    [Fact]
    public void A_chunk_length_beyond_2_to_the_31_is_refused_without_reading_it()
    {
        var png = Png(Ihdr(1, 1), Idat([0, 0]), Iend());
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), 0xFFFF_FFF0);

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("Chunk 'IDAT' at offset 33 declares 4294967280 bytes of data; PNG allows at most 2^31-1.", e.Message);
    }

    [Fact]
    public void Image_data_short_of_the_scanlines_the_header_declares_is_refused()
    {
        // 3 rows declared, 2 rows of data.
        var png = Png(Ihdr(2, 3), Idat([0, 1, 2, 0, 3, 4]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("The IDAT data is too short: it ends in row 2 of 3, after 6 of the 9 bytes a 2x3 image's scanlines need.", e.Message);
    }

    [Fact]
    public void Image_data_beyond_the_scanlines_the_header_declares_is_refused()
    {
        var png = Png(Ihdr(2, 1), Idat([0, 1, 2, 0, 3, 4]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("The IDAT data is too long: it holds more than the 3 bytes a 2x1 image's scanlines need.", e.Message);
    }

    [Fact]
    public void Interlaced_data_short_of_its_passes_names_the_pass()
    {
        // 8x8 Adam7 needs 1 + 1 bytes for pass 1; give only the first pass.
        var png = Png(Ihdr(8, 8, interlace: 1), Idat([0, 9]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("The IDAT data is too short: it ends in row 0 of Adam7 pass 2", e.Message);
    }

    [Fact]
    public void An_undefined_filter_type_is_named()
    {
        var png = Png(Ihdr(2, 2), Idat([0, 1, 2, 5, 3, 4]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("Scanline 1 has filter type 5; PNG defines 0 (None) to 4 (Paeth).", e.Message);
    }

    [Fact]
    public void IDAT_that_is_not_zlib_is_refused()
    {
        var png = Png(Ihdr(2, 2), Chunk("IDAT", [0x12, 0x34, 0x56, 0x78, 0x9A]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("The IDAT data is not a valid zlib stream", e.Message);
    }

    [Fact]
    public void A_wrong_zlib_checksum_is_refused()
    {
        var data = Zlib([0, 1, 2, 0, 3, 4]);
        data[^1] ^= 0xFF;
        var png = Png(Ihdr(2, 2), Chunk("IDAT", data), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("The IDAT data is not a valid zlib stream", e.Message);
    }

    [Fact]
    public void A_PNG_without_image_data_is_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(1, 1), Iend())));

        Assert.Equal("The PNG has no IDAT chunk before IEND: it holds no image data.", e.Message);
    }

    [Fact]
    public void A_PNG_that_stops_after_its_image_data_lacks_IEND()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(1, 1), Idat([0, 0]))));

        Assert.Equal("PNG is truncated: the file ends after an IDAT chunk, without IEND.", e.Message);
    }

    [Fact]
    public void IDAT_chunks_must_be_consecutive()
    {
        var data = Zlib([0, 1, 0, 2]);
        var png = Png(Ihdr(1, 2), Chunk("IDAT", data[..3]), Chunk("tEXt", "a\0b"u8.ToArray()), Chunk("IDAT", data[3..]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Contains("The IDAT data is too short", e.Message);
    }

    [Fact]
    public void A_second_run_of_IDAT_chunks_is_refused()
    {
        var png = Png(Ihdr(1, 1), Idat([0, 1]), Chunk("tEXt", "a\0b"u8.ToArray()), Idat([0, 1]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Contains("is separated from the earlier IDAT chunks by other chunks; they must be consecutive", e.Message);
    }

    [Fact]
    public void A_non_empty_IEND_is_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(1, 1), Idat([0, 0]), Chunk("IEND", [1]))));

        Assert.Equal("The IEND chunk must be empty, but it declares 1 bytes.", e.Message);
    }

    [Fact]
    public void A_palette_image_without_PLTE_is_refused()
    {
        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(Png(Ihdr(1, 1, 8, 3), Idat([0, 0]), Iend())));

        Assert.Equal("The image uses a palette (colour type 3) but no PLTE chunk comes before its IDAT data.", e.Message);
    }

    [Fact]
    public void A_pixel_index_beyond_the_palette_is_refused()
    {
        var png = Png(Ihdr(2, 1, 8, 3), Chunk("PLTE", [1, 2, 3, 4, 5, 6]), Idat([0, 1, 5]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal("A pixel uses palette index 5, but PLTE has only 2 entries.", e.Message);
    }

    [Theory]
    [InlineData(0, 8, 3, "The PLTE chunk holds 0 bytes; it must hold 1 to 256 RGB entries of 3 bytes.")]
    [InlineData(7, 8, 3, "The PLTE chunk holds 7 bytes; it must hold 1 to 256 RGB entries of 3 bytes.")]
    [InlineData(15, 2, 3, "The PLTE chunk has 5 entries, more than 2-bit indices can address (4).")]
    [InlineData(3, 8, 0, "A PLTE chunk is not allowed in a grayscale image.")]
    public void Invalid_palettes_are_refused(int length, int depth, int colorType, string message)
    {
        var png = Png(Ihdr(1, 1, (byte)depth, (byte)colorType), Chunk("PLTE", new byte[length]), Idat([0, 0]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_RGB_image_may_carry_a_suggested_palette_which_is_ignored()
    {
        var png = Png(Ihdr(1, 1, 8, 2), Chunk("PLTE", [9, 9, 9]), Idat([0, 1, 2, 3]), Iend());

        Assert.Equal([1, 2, 3], PngDecoder.Decode(png).Pixels);
    }

    [Theory]
    [InlineData(0, 3, "The tRNS chunk of a grayscale image must hold 2 bytes, but it holds 3.")]
    [InlineData(2, 2, "The tRNS chunk of a RGB image must hold 6 bytes, but it holds 2.")]
    [InlineData(6, 2, "A tRNS chunk is not allowed in a RGBA image, which has an alpha channel already.")]
    [InlineData(4, 2, "A tRNS chunk is not allowed in a gray+alpha image, which has an alpha channel already.")]
    public void Invalid_transparency_is_refused(int colorType, int length, string message)
    {
        var png = Png(Ihdr(1, 1, 8, (byte)colorType), Chunk("tRNS", new byte[length]), Idat(new byte[5]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Palette_transparency_needs_PLTE_first_and_no_more_entries_than_it()
    {
        var before = Png(Ihdr(1, 1, 8, 3), Chunk("tRNS", [0]), Chunk("PLTE", [1, 2, 3]), Idat([0, 0]), Iend());
        var tooMany = Png(Ihdr(1, 1, 8, 3), Chunk("PLTE", [1, 2, 3]), Chunk("tRNS", [0, 0]), Idat([0, 0]), Iend());

        Assert.Equal("The tRNS chunk of a palette image must come after its PLTE chunk.", Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(before)).Message);
        Assert.Equal("The tRNS chunk holds 2 alpha values; it must hold 1 to 1, one per PLTE entry at most.", Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(tooMany)).Message);
    }

    [Theory]
    [InlineData("PLTE", 2, new byte[] { 1, 2, 3 })]
    [InlineData("tRNS", 0, new byte[] { 0, 0 })]
    public void PLTE_and_tRNS_after_the_image_data_are_refused(string type, int colorType, byte[] data)
    {
        var idat = Idat(new byte[colorType == 2 ? 4 : 2]);
        var png = Png(Ihdr(1, 1, 8, (byte)colorType), idat, Chunk(type, data), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.Equal($"The {type} chunk at offset {33 + idat.Length} comes after the IDAT data; it must come before.", e.Message);
    }

    [Fact]
    public void Damage_inside_compressed_data_is_blamed_on_the_CRC_not_on_zlib()
    {
        var idat = Idat(new byte[1 + 300]);
        var png = Png(Ihdr(300, 1), idat, Iend());
        png[33 + 8 + 2] ^= 0xFF;

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("CRC mismatch in chunk 'IDAT' at offset 33", e.Message);
        Assert.IsType<InvalidImageException>(e.InnerException);
    }

    [Fact]
    public void Bad_compressed_data_under_a_correct_CRC_is_blamed_on_the_data()
    {
        var png = Png(Ihdr(2, 2), Chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]), Iend());

        var e = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));

        Assert.StartsWith("The IDAT data is not a valid zlib stream", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }
}
