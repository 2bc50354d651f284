using System.Buffers.Binary;
using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

public class TensorProtoReaderTests
{
    // onnx.proto3 TensorProto field numbers.
    private const int Dims = 1, DataType = 2, Segment = 3, FloatData = 4, Int32Data = 5, StringData = 6, Int64Data = 7,
        Name = 8, RawData = 9, DoubleData = 10, UInt64Data = 11, DocString = 12, ExternalData = 13, DataLocation = 14;

    [Fact]
    public void Float_raw_data_becomes_the_tensor_bytes_unchanged()
    {
        var raw = LittleEndianFloats(1f, -2.5f, 3.25f, float.NaN, 0f, 6f);
        var bytes = Tensor("x", TensorElementType.Float, 2, 3).Bytes(RawData, raw).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal("x", tensor.Name);
        Assert.Equal(TensorElementType.Float, tensor.ElementType);
        Assert.Equal([2L, 3], tensor.Shape);
        Assert.Equal(6, tensor.ElementCount);
        Assert.Equal(raw, tensor.Data);
        Assert.Equal([1f, -2.5f, 3.25f, float.NaN, 0f, 6f], tensor.Values<float>().ToArray());
        Assert.Null(tensor.Strings);
    }

    [Fact]
    public void Float_data_packed_and_unpacked_becomes_little_endian_floats()
    {
        var bytes = Tensor("f", TensorElementType.Float, 3)
            .PackedFloats(FloatData, 1.5f, -0.25f)
            .Float(FloatData, 1e-30f)
            .ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal(LittleEndianFloats(1.5f, -0.25f, 1e-30f), tensor.Data);
    }

    [Fact]
    public void Int64_data_becomes_eight_bytes_per_element()
    {
        var bytes = Tensor("i", TensorElementType.Int64, 2, 2).PackedVarints(Int64Data, 0, -1, long.MaxValue, long.MinValue).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal(32, tensor.Data.Length);
        Assert.Equal([0L, -1, long.MaxValue, long.MinValue], tensor.Values<long>().ToArray());
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], tensor.Data[8..16]);
    }

    [Fact]
    public void Int8_values_carried_in_int32_data_become_one_byte_each()
    {
        var bytes = Tensor("q", TensorElementType.Int8, 4).PackedVarints(Int32Data, -128, -1, 0, 127).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([0x80, 0xFF, 0x00, 0x7F], tensor.Data);
        Assert.Equal([-128, -1, 0, 127], tensor.Values<sbyte>().ToArray());
    }

    [Fact]
    public void Bool_values_carried_in_int32_data_become_zero_or_one_bytes()
    {
        var bytes = Tensor("b", TensorElementType.Bool, 3).Varint(Int32Data, 1).Varint(Int32Data, 0).Varint(Int32Data, 1).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([1, 0, 1], tensor.Data);
        Assert.Equal([true, false, true], tensor.Values<bool>().ToArray());
    }

    [Fact]
    public void Float16_bit_patterns_carried_in_int32_data_become_two_bytes_each()
    {
        // 1.0 = 0x3C00, -2.0 = 0xC000, 65504 (max) = 0x7BFF: the patterns travel as non-negative int32 values.
        var bytes = Tensor("h", TensorElementType.Float16, 3).PackedVarints(Int32Data, 0x3C00, 0xC000, 0x7BFF).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B], tensor.Data);
        Assert.Equal([(Half)1, (Half)(-2), Half.MaxValue], tensor.Values<Half>().ToArray());
    }

    [Fact]
    public void Uint32_values_carried_in_uint64_data_become_four_bytes_each()
    {
        var bytes = Tensor("u", TensorElementType.UInt32, 2).PackedVarints(UInt64Data, 7, uint.MaxValue).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([7u, uint.MaxValue], tensor.Values<uint>().ToArray());
    }

    [Fact]
    public void Uint64_values_above_the_int64_range_survive()
    {
        var bytes = Tensor("u", TensorElementType.UInt64, 1).Tag(UInt64Data, 0).Raw(ProtoBytes.EncodeVarint(ulong.MaxValue)).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([ulong.MaxValue], tensor.Values<ulong>().ToArray());
    }

    [Fact]
    public void Double_data_becomes_eight_bytes_per_element()
    {
        var bytes = Tensor("d", TensorElementType.Double, 2).PackedDoubles(DoubleData, Math.PI, -1e-300).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([Math.PI, -1e-300], tensor.Values<double>().ToArray());
    }

    [Fact]
    public void Complex64_elements_are_read_as_real_and_imaginary_float_pairs()
    {
        var bytes = Tensor("c", TensorElementType.Complex64, 2).PackedFloats(FloatData, 1f, 2f, 3f, 4f).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal(2, tensor.ElementCount);
        Assert.Equal(LittleEndianFloats(1f, 2f, 3f, 4f), tensor.Data);
    }

    [Fact]
    public void Complex128_elements_are_read_as_real_and_imaginary_double_pairs()
    {
        var bytes = Tensor("c", TensorElementType.Complex128, 1).PackedDoubles(DoubleData, 1.5, -2.5).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([new System.Numerics.Complex(1.5, -2.5)], tensor.Values<System.Numerics.Complex>().ToArray());
    }

    [Fact]
    public void String_tensors_keep_their_elements_as_text_and_no_bytes()
    {
        var bytes = Tensor("s", TensorElementType.String, 3)
            .String(StringData, "monday")
            .String(StringData, "")
            .String(StringData, "日曜日")
            .ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal(["monday", "", "日曜日"], tensor.Strings!);
        Assert.Empty(tensor.Data);
    }

    [Fact]
    public void A_tensor_without_dims_is_a_scalar_of_one_element()
    {
        var bytes = new ProtoBytes().Varint(DataType, (int)TensorElementType.Int32).Varint(Int32Data, -7).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Empty(tensor.Shape);
        Assert.Equal(1, tensor.ElementCount);
        Assert.Equal([-7], tensor.Values<int>().ToArray());
        Assert.Equal("", tensor.Name);
    }

    [Fact]
    public void A_tensor_with_a_zero_dimension_has_no_elements_and_needs_no_data()
    {
        var bytes = Tensor("empty", TensorElementType.Float, 3, 0).ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal(0, tensor.ElementCount);
        Assert.Empty(tensor.Data);
    }

    [Fact]
    public void Int4_elements_are_packed_two_per_byte_from_int32_data_and_from_raw_data()
    {
        // Three int4 elements 1, -1 (0xF), 5: bytes 0xF1 then 0x05, low nibble first.
        var fromInt32 = TensorProtoReader.Read(Tensor("n", TensorElementType.Int4, 3).PackedVarints(Int32Data, 0xF1, 0x05).ToArray());
        var fromRaw = TensorProtoReader.Read(Tensor("n", TensorElementType.Int4, 3).Bytes(RawData, [0xF1, 0x05]).ToArray());

        Assert.Equal([0xF1, 0x05], fromInt32.Data);
        Assert.Equal(fromInt32.Data, fromRaw.Data);
    }

    [Fact]
    public void Segment_doc_string_external_data_and_unknown_fields_are_skipped()
    {
        var bytes = Tensor("x", TensorElementType.Float, 1)
            .Message(Segment, new ProtoBytes().Varint(1, 0).Varint(2, 1))
            .String(DocString, "documentation")
            .Message(ExternalData, new ProtoBytes().String(1, "location").String(2, "weights.bin"))
            .Varint(99, 5)
            .Float(FloatData, 4f)
            .ToArray();

        var tensor = TensorProtoReader.Read(bytes);

        Assert.Equal([4f], tensor.Values<float>().ToArray());
    }

    [Fact]
    public void Raw_data_wins_over_the_typed_field_of_the_same_type()
    {
        var bytes = Tensor("x", TensorElementType.Float, 1).Float(FloatData, 1f).Bytes(RawData, LittleEndianFloats(2f)).ToArray();

        Assert.Equal([2f], TensorProtoReader.Read(bytes).Values<float>().ToArray());
    }

    [Fact]
    public void Element_count_not_matching_the_dims_product_is_refused_with_both_numbers()
    {
        var bytes = Tensor("x", TensorElementType.Float, 3, 4, 5).PackedFloats(FloatData, new float[59]).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => TensorProtoReader.Read(bytes));

        Assert.Equal(
            "TensorProto: tensor 'x' has shape [3,4,5] (60 float elements), which need 60 float_data values, but float_data holds 59",
            error.Message);
    }

    [Fact]
    public void Raw_data_of_the_wrong_length_is_refused_with_both_byte_counts()
    {
        var bytes = Tensor("x", TensorElementType.Int64, 2).Bytes(RawData, new byte[12]).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => TensorProtoReader.Read(bytes));

        Assert.Equal("TensorProto: tensor 'x' has shape [2] (2 int64 elements), which take 16 bytes, but raw_data holds 12", error.Message);
    }

    [Fact]
    public void A_scalar_without_any_data_is_refused()
    {
        var bytes = new ProtoBytes().String(Name, "s").Varint(DataType, (int)TensorElementType.Double).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => TensorProtoReader.Read(bytes));

        Assert.Contains("tensor 's' has shape [] (1 double elements), which need 1 double_data values, but double_data holds 0", error.Message);
    }

    [Fact]
    public void A_string_tensor_with_too_few_strings_is_refused()
    {
        var bytes = Tensor("s", TensorElementType.String, 2).String(StringData, "one").ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => TensorProtoReader.Read(bytes));

        Assert.Contains("tensor 's' has shape [2] (2 string elements) but string_data holds 1", error.Message);
    }

    public static TheoryData<string, byte[], string> MalformedTensors => new()
    {
        { "no data_type", new ProtoBytes().String(Name, "x").Varint(Dims, 1).Float(FloatData, 1).ToArray(), "tensor 'x' has no data_type" },
        { "negative dimension", Tensor("x", TensorElementType.Float, 2, -1).ToArray(), "tensor 'x' has negative dimension -1 in shape [2,-1]" },
        { "shape too large", Tensor("x", TensorElementType.Float, 1L << 31, 1L << 31).ToArray(), "too many elements to address" },
        { "foreign typed field", Tensor("x", TensorElementType.Float, 1).Varint(Int64Data, 1).ToArray(), "carries int64_data, which ONNX does not use for float (it uses float_data)" },
        { "int8 out of range", Tensor("x", TensorElementType.Int8, 1).Varint(Int32Data, 200).ToArray(), "int32_data value 200 (at index 0) is out of range for int8" },
        { "bool not 0 or 1", Tensor("x", TensorElementType.Bool, 1).Varint(Int32Data, 2).ToArray(), "int32_data value 2 (at index 0) is out of range for bool" },
        { "float16 pattern negative", Tensor("x", TensorElementType.Float16, 1).Varint(Int32Data, -1).ToArray(), "out of range for float16" },
        { "uint32 above range", Tensor("x", TensorElementType.UInt32, 1).Varint(UInt64Data, 1L << 32).ToArray(), "uint64_data value 4294967296 is out of range for uint32" },
        { "string in raw_data", Tensor("x", TensorElementType.String, 1).Bytes(RawData, [1]).ToArray(), "string tensor with raw_data" },
        { "data_type as a string", new ProtoBytes().String(DataType, "float").ToArray(), "data_type (field 2) has wire type length-delimited, expected varint" },
        { "dims as fixed32", new ProtoBytes().Fixed32(Dims, 3).ToArray(), "dims (field 1) has wire type fixed32, expected varint or packed" },
        { "unknown data_location", Tensor("x", TensorElementType.Float, 0).Varint(DataLocation, 7).ToArray(), "data_location 7" },
        { "truncated raw_data", Tensor("x", TensorElementType.Float, 1).Tag(RawData, 2).Raw(4, 0, 0).ToArray(), "runs past the end" },
    };

    [Theory]
    [MemberData(nameof(MalformedTensors))]
    public void Malformed_tensors_are_refused_with_a_specific_message(string why, byte[] bytes, string expected)
    {
        var error = Assert.Throws<OnnxFormatException>(() => TensorProtoReader.Read(bytes));

        Assert.IsNotType<OnnxUnsupportedException>(error);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{why}: {error.Message}");
    }

    [Fact]
    public void External_data_is_refused_as_unsupported()
    {
        var bytes = Tensor("w", TensorElementType.Float, 1000)
            .Message(ExternalData, new ProtoBytes().String(1, "location").String(2, "weights.bin"))
            .Varint(DataLocation, 1)
            .ToArray();

        var error = Assert.Throws<OnnxUnsupportedException>(() => TensorProtoReader.Read(bytes));

        Assert.Contains("tensor 'w' keeps its data in an external file (data_location EXTERNAL), which is not supported", error.Message);
    }

    [Fact]
    public void An_element_type_newer_than_this_reader_is_refused_as_unsupported()
    {
        var bytes = new ProtoBytes().Varint(DataType, 24).Varint(Dims, 1).Bytes(RawData, [0]).ToArray();

        var error = Assert.Throws<OnnxUnsupportedException>(() => TensorProtoReader.Read(bytes));

        Assert.Contains("element type 24", error.Message);
    }

    [Fact]
    public void A_string_element_that_is_not_utf8_is_refused_as_unsupported()
    {
        var bytes = Tensor("s", TensorElementType.String, 1).Bytes(StringData, [0xC3]).ToArray();

        var error = Assert.Throws<OnnxUnsupportedException>(() => TensorProtoReader.Read(bytes));

        Assert.Contains("string_data element 0 is not valid UTF-8", error.Message);
    }

    [Fact]
    public void Reading_values_of_the_wrong_size_is_refused()
    {
        var tensor = TensorProtoReader.Read(Tensor("x", TensorElementType.Float, 1).Float(FloatData, 1).ToArray());

        Assert.Throws<InvalidOperationException>(() => tensor.Values<double>().ToArray());
    }

    private static ProtoBytes Tensor(string name, TensorElementType type, params long[] dims) =>
        new ProtoBytes().PackedVarints(Dims, dims).Varint(DataType, (int)type).String(Name, name);

    private static byte[] LittleEndianFloats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
