using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

public class ProtoReaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x7F }, 127UL)]
    [InlineData(new byte[] { 0x80, 0x01 }, 128UL)]
    [InlineData(new byte[] { 0xAC, 0x02 }, 300UL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue)]
    public void Varints_of_one_to_ten_bytes_decode_to_their_value(byte[] encoded, ulong expected)
    {
        var reader = new ProtoReader(encoded, "Test");

        Assert.Equal(expected, reader.ReadVarint());
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void A_negative_int32_is_read_from_its_ten_byte_sign_extended_varint()
    {
        var bytes = new ProtoBytes().Varint(2, -5).ToArray();
        var reader = new ProtoReader(bytes, "Test");

        Assert.True(reader.TryReadField(out var field));
        Assert.Equal(11, bytes.Length);
        Assert.Equal(-5, reader.ReadInt32(field, "value"));
    }

    [Fact]
    public void Fixed32_and_fixed64_are_read_little_endian()
    {
        var bytes = new ProtoBytes().Fixed32(1, 0x11223344).Fixed64(2, 0x0102030405060708).ToArray();
        var reader = new ProtoReader(bytes, "Test");

        Assert.True(reader.TryReadField(out var first));
        Assert.Equal(new ProtoField(1, WireType.Fixed32), first);
        Assert.Equal(0x11223344u, reader.ReadFixed32());
        Assert.True(reader.TryReadField(out var second));
        Assert.Equal(new ProtoField(2, WireType.Fixed64), second);
        Assert.Equal(0x0102030405060708UL, reader.ReadFixed64());
        Assert.False(reader.TryReadField(out _));
    }

    [Fact]
    public void Strings_and_nested_messages_are_read_from_length_delimited_fields()
    {
        var bytes = new ProtoBytes()
            .String(1, "größe")
            .Message(2, new ProtoBytes().Varint(1, 42))
            .ToArray();
        var reader = new ProtoReader(bytes, "Outer");

        Assert.True(reader.TryReadField(out var name));
        Assert.Equal("größe", reader.ReadString(name, "name"));
        Assert.True(reader.TryReadField(out var nested));
        var inner = reader.ReadMessage(nested, "inner", "Inner");
        Assert.True(inner.TryReadField(out var value));
        Assert.Equal(42, inner.ReadInt64(value, "value"));
        Assert.True(inner.AtEnd);
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void Repeated_scalars_are_read_whether_packed_unpacked_or_both()
    {
        var bytes = new ProtoBytes()
            .Varint(1, 3)
            .PackedVarints(1, 4, 300, -1)
            .Varint(1, 5)
            .Float(2, 1.5f)
            .PackedFloats(2, 2.5f, -0f)
            .Double(3, 0.25)
            .PackedDoubles(3, 1e300)
            .ToArray();
        var reader = new ProtoReader(bytes, "Test");
        var longs = new List<long>();
        var floats = new List<uint>();
        var doubles = new List<ulong>();

        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    reader.ReadRepeatedInt64(field, "longs", longs);
                    break;
                case 2:
                    reader.ReadRepeatedFixed32(field, "floats", floats);
                    break;
                default:
                    reader.ReadRepeatedFixed64(field, "doubles", doubles);
                    break;
            }
        }

        Assert.Equal([3L, 4, 300, -1, 5], longs);
        Assert.Equal([1.5f, 2.5f, -0f], floats.Select(BitConverter.UInt32BitsToSingle));
        Assert.Equal(BitConverter.SingleToUInt32Bits(-0f), floats[2]);
        Assert.Equal([0.25, 1e300], doubles.Select(BitConverter.UInt64BitsToDouble));
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped()
    {
        var bytes = new ProtoBytes()
            .Varint(20, 123456789)
            .Fixed64(21, 1)
            .String(22, "skip me")
            // A group holding a varint and a nested group: start-group 23 … end-group 23.
            .Tag(23, 3).Varint(1, 7).Tag(2, 3).Fixed32(1, 9).Tag(2, 4).Tag(23, 4)
            .Fixed32(24, 2)
            .Varint(1, 99)
            .ToArray();
        var reader = new ProtoReader(bytes, "Test");
        long? known = null;

        while (reader.TryReadField(out var field))
        {
            if (field.Number == 1)
            {
                known = reader.ReadInt64(field, "known");
            }
            else
            {
                reader.Skip(field);
            }
        }

        Assert.Equal(99, known);
    }

    public static TheoryData<string, byte[], string> MalformedInputs => new()
    {
        { "truncated varint value", [0x08, 0x80], "truncated varint (at byte 1)" },
        { "truncated tag", [0x80], "truncated varint (at byte 0)" },
        { "varint of eleven bytes", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "varint longer than 10 bytes" },
        { "varint above 64 bits", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], "varint overflows 64 bits" },
        { "length past the end", [0x0A, 0x05, 0x01, 0x02], "length 5 runs past the end (2 bytes left) (at byte 1)" },
        { "huge length", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "length 4294967295 runs past the end (0 bytes left)" },
        { "truncated fixed32", [0x0D, 0x01, 0x02], "truncated fixed32 (2 of 4 bytes left)" },
        { "truncated fixed64", [0x09, 0x01], "truncated fixed64 (1 of 8 bytes left)" },
        { "field number zero", [0x00, 0x01], "field number 0 is not allowed" },
        { "wire type 6", [0x0E], "field 1 has invalid wire type 6" },
        { "wire type 7", [0x0F], "field 1 has invalid wire type 7" },
        { "end-group without start", [0x0C], "end-group for field 1 without a start-group" },
        { "group never closed", [0x0B, 0x10, 0x01], "group of field 1 is not closed" },
        { "group closed by another field", [0x0B, 0x14], "end-group for field 2 closes the group of field 1" },
        { "tag above 32 bits", [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "above protobuf's maximum" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_wire_data_is_refused_with_a_specific_message(string why, byte[] bytes, string expected)
    {
        var error = Assert.Throws<OnnxFormatException>(() => SkipAll(bytes));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{why}: {error.Message}");
        Assert.StartsWith("Test: ", error.Message);
    }

    [Fact]
    public void Groups_nested_deeper_than_the_limit_are_refused()
    {
        var bytes = Enumerable.Repeat((byte)0x0B, ProtoReader.MaxDepth + 1).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => SkipAll(bytes));

        Assert.Contains("groups nested deeper than 100 levels", error.Message);
    }

    [Fact]
    public void Messages_nested_deeper_than_the_limit_are_refused()
    {
        var message = new ProtoBytes().Varint(2, 1);
        for (var level = 0; level < ProtoReader.MaxDepth + 1; level++)
        {
            message = new ProtoBytes().Message(1, message);
        }

        var bytes = message.ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => ReadNested(new ProtoReader(bytes, "Test")));
        Assert.Contains("messages nested deeper than 100 levels", error.Message);
    }

    [Fact]
    public void Messages_nested_up_to_the_limit_are_read()
    {
        var message = new ProtoBytes().Varint(2, 1);
        for (var level = 0; level < ProtoReader.MaxDepth; level++)
        {
            message = new ProtoBytes().Message(1, message);
        }

        Assert.Equal(ProtoReader.MaxDepth, ReadNested(new ProtoReader(message.ToArray(), "Test")));
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x01, 0x05 }, "value (field 1) has wire type length-delimited, expected varint")]
    [InlineData(new byte[] { 0x0D, 0x05, 0x00, 0x00, 0x00 }, "value (field 1) has wire type fixed32, expected varint")]
    public void A_known_field_with_the_wrong_wire_type_is_refused(byte[] bytes, string expected)
    {
        var error = Assert.Throws<OnnxFormatException>(() =>
        {
            var reader = new ProtoReader(bytes, "Test");
            reader.TryReadField(out var field);
            reader.ReadInt64(field, "value");
        });

        Assert.Equal($"Test: {expected} (at byte 0)", error.Message);
    }

    [Fact]
    public void A_repeated_field_with_a_wire_type_that_is_neither_its_own_nor_packed_is_refused()
    {
        var bytes = new ProtoBytes().Fixed64(4, 1).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() =>
        {
            var reader = new ProtoReader(bytes, "TensorProto");
            reader.TryReadField(out var field);
            reader.ReadRepeatedFixed32(field, "float_data", []);
        });

        Assert.Contains("float_data (field 4) has wire type fixed64, expected fixed32 or packed", error.Message);
    }

    [Fact]
    public void A_packed_fixed32_run_whose_length_is_not_a_multiple_of_four_is_refused()
    {
        var bytes = new ProtoBytes().Bytes(4, [1, 2, 3, 4, 5, 6, 7]).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() =>
        {
            var reader = new ProtoReader(bytes, "TensorProto");
            reader.TryReadField(out var field);
            reader.ReadRepeatedFixed32(field, "float_data", []);
        });

        Assert.Contains("packed float_data is 7 bytes, not a multiple of 4", error.Message);
    }

    [Fact]
    public void A_truncated_varint_inside_a_packed_run_is_refused_at_its_offset_in_the_whole_buffer()
    {
        // Outer field 1 wraps a message whose field 1 is a packed run ending in a cut varint (0x80).
        var inner = new ProtoBytes().Bytes(1, [0x01, 0x80]);
        var bytes = new ProtoBytes().Message(1, inner).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() =>
        {
            var reader = new ProtoReader(bytes, "Outer");
            reader.TryReadField(out var field);
            var nested = reader.ReadMessage(field, "inner", "Inner");
            nested.TryReadField(out var packed);
            nested.ReadRepeatedInt64(packed, "dims", []);
        });

        Assert.Equal("Inner: truncated varint (at byte 5)", error.Message);
    }

    [Fact]
    public void An_int32_field_whose_value_does_not_fit_is_refused()
    {
        var bytes = new ProtoBytes().Varint(2, 1L << 40).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() =>
        {
            var reader = new ProtoReader(bytes, "TensorProto");
            reader.TryReadField(out var field);
            reader.ReadInt32(field, "data_type");
        });

        Assert.Contains("data_type value 1099511627776 does not fit in int32", error.Message);
    }

    [Fact]
    public void A_string_that_is_not_utf8_is_refused()
    {
        var bytes = new ProtoBytes().Bytes(8, [0x61, 0xFF, 0x62]).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() =>
        {
            var reader = new ProtoReader(bytes, "TensorProto");
            reader.TryReadField(out var field);
            reader.ReadString(field, "name");
        });

        Assert.Contains("name is not valid UTF-8", error.Message);
    }

    [Fact]
    public void Random_bytes_never_raise_anything_but_a_format_error()
    {
        var random = new Random(20261122);
        for (var round = 0; round < 20_000; round++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            try
            {
                SkipAll(bytes);
            }
            catch (OnnxFormatException)
            {
            }
        }
    }

    private static void SkipAll(byte[] bytes)
    {
        var reader = new ProtoReader(bytes, "Test");
        while (reader.TryReadField(out var field))
        {
            reader.Skip(field);
        }
    }

    /// <summary>Follows field 1 down through nested messages and returns how deep it went.</summary>
    private static int ReadNested(ProtoReader reader)
    {
        while (reader.TryReadField(out var field))
        {
            if (field.Number == 1)
            {
                return 1 + ReadNested(reader.ReadMessage(field, "child", "Test"));
            }

            reader.Skip(field);
        }

        return 0;
    }
}
