using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

public class OnnxValueReaderTests
{
    private static readonly ProtoBytes FloatTensor = new ProtoBytes().Varint(1, 1).Varint(2, (int)TensorElementType.Float).Float(4, 1f);

    [Fact]
    public void A_value_declared_as_a_tensor_is_decoded()
    {
        var tensor = OnnxValueReader.Read(FloatTensor.ToArray(), OnnxValueKind.Tensor);

        Assert.Equal([1f], tensor.Values<float>().ToArray());
    }

    [Fact]
    public void A_sequence_is_refused_as_unsupported_naming_what_it_holds()
    {
        // SequenceProto: name=1, elem_type=2 (1 = tensor), tensor_values=3.
        var bytes = new ProtoBytes().String(1, "seq").Varint(2, 1).Message(3, FloatTensor).Message(3, FloatTensor).ToArray();

        var error = Assert.Throws<OnnxUnsupportedException>(() => OnnxValueReader.Read(bytes, OnnxValueKind.Sequence));

        Assert.Equal("value 'seq' is a SequenceProto of 2 tensor values; reading sequence values is not supported", error.Message);
    }

    [Fact]
    public void An_empty_optional_and_a_full_one_are_refused_as_unsupported()
    {
        // OptionalProto: name=1, elem_type=2 (0 = empty), tensor_value=3.
        var empty = new ProtoBytes().String(1, "opt").ToArray();
        var full = new ProtoBytes().String(1, "opt").Varint(2, 1).Message(3, FloatTensor).ToArray();

        var emptyError = Assert.Throws<OnnxUnsupportedException>(() => OnnxValueReader.Read(empty, OnnxValueKind.Optional));
        var fullError = Assert.Throws<OnnxUnsupportedException>(() => OnnxValueReader.Read(full, OnnxValueKind.Optional));

        Assert.Equal("value 'opt' is an empty OptionalProto; reading optional values is not supported", emptyError.Message);
        Assert.Equal("value 'opt' is an OptionalProto holding a tensor; reading optional values is not supported", fullError.Message);
    }

    [Fact]
    public void A_map_is_refused_as_unsupported_naming_its_key_type()
    {
        // MapProto: name=1, key_type=2, keys=3, values=5.
        var bytes = new ProtoBytes().String(1, "m").Varint(2, (int)TensorElementType.Int64).PackedVarints(3, 1, 2).ToArray();

        var error = Assert.Throws<OnnxUnsupportedException>(() => OnnxValueReader.Read(bytes, OnnxValueKind.Map));

        Assert.Equal("value 'm' is a MapProto with int64 keys; reading map values is not supported", error.Message);
    }

    [Fact]
    public void A_sparse_tensor_is_refused_as_unsupported_naming_its_shape()
    {
        // SparseTensorProto: values=1, indices=2, dims=3.
        var bytes = new ProtoBytes().Message(1, FloatTensor).PackedVarints(3, 10, 10).ToArray();

        var error = Assert.Throws<OnnxUnsupportedException>(() => OnnxValueReader.Read(bytes, OnnxValueKind.SparseTensor));

        Assert.Equal("value is a SparseTensorProto of shape [10,10]; reading sparse tensor values is not supported", error.Message);
    }

    [Fact]
    public void A_value_whose_kind_the_model_does_not_declare_is_refused_as_unsupported()
    {
        Assert.Throws<OnnxUnsupportedException>(() => OnnxValueReader.Read(FloatTensor.ToArray(), OnnxValueKind.Unknown));
    }

    [Fact]
    public void A_malformed_sequence_is_a_format_error_not_an_unsupported_one()
    {
        var bytes = new ProtoBytes().String(1, "seq").Tag(3, 2).Raw(50, 1).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => OnnxValueReader.Read(bytes, OnnxValueKind.Sequence));

        Assert.IsNotType<OnnxUnsupportedException>(error);
        Assert.StartsWith("SequenceProto: length 50 runs past the end", error.Message);
    }
}
