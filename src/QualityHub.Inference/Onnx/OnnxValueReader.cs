namespace QualityHub.Inference.Onnx;

/// <summary>Reads a serialized ONNX value (a backend test's input_K.pb or output_K.pb) of the kind the model declares for it.</summary>
/// <remarks>
/// The bytes alone do not say whether they hold a TensorProto, SequenceProto, MapProto or OptionalProto (their
/// field numbers overlap), so the caller passes the kind of the matching graph input or output, as ONNX's own
/// test runner does. Only tensors are decoded; the other kinds are read far enough to be described, then refused
/// with an <see cref="OnnxUnsupportedException"/>.
/// </remarks>
public static class OnnxValueReader
{
    public static OnnxTensor Read(ReadOnlySpan<byte> bytes, OnnxValueKind kind) => kind switch
    {
        OnnxValueKind.Tensor => TensorProtoReader.Read(bytes),
        OnnxValueKind.Sequence => throw Unsupported(DescribeSequence(new ProtoReader(bytes, "SequenceProto")), "sequence"),
        OnnxValueKind.Map => throw Unsupported(DescribeMap(new ProtoReader(bytes, "MapProto")), "map"),
        OnnxValueKind.Optional => throw Unsupported(DescribeOptional(new ProtoReader(bytes, "OptionalProto")), "optional"),
        OnnxValueKind.SparseTensor => throw Unsupported(DescribeSparseTensor(new ProtoReader(bytes, "SparseTensorProto")), "sparse tensor"),
        _ => throw new OnnxUnsupportedException("the model declares no type QualityHub knows for this value, so its bytes cannot be interpreted"),
    };

    public static OnnxTensor ReadFile(string path, OnnxValueKind kind) => Read(File.ReadAllBytes(path), kind);

    private static OnnxUnsupportedException Unsupported(string description, string kind) =>
        new($"{description}; reading {kind} values is not supported");

    // SequenceProto: name=1, elem_type=2, tensor_values=3, sparse_tensor_values=4, sequence_values=5, map_values=6, optional_values=7.
    private static string DescribeSequence(ProtoReader reader)
    {
        var name = "";
        var elementKind = 0;
        var count = 0;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    name = reader.ReadString(field, "name");
                    break;
                case 2:
                    elementKind = reader.ReadInt32(field, "elem_type");
                    break;
                case >= 3 and <= 7:
                    reader.ReadBytes(field, "values");
                    count++;
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return $"{Label(name)} is a SequenceProto of {count} {DescribeElementKind(elementKind)} values";
    }

    // MapProto: name=1, key_type=2, keys=3, string_keys=4, values=5 (a SequenceProto).
    private static string DescribeMap(ProtoReader reader)
    {
        var name = "";
        var keyType = 0;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    name = reader.ReadString(field, "name");
                    break;
                case 2:
                    keyType = reader.ReadInt32(field, "key_type");
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return $"{Label(name)} is a MapProto with {((TensorElementType)keyType).OnnxName()} keys";
    }

    // OptionalProto: name=1, elem_type=2, tensor_value=3 … optional_value=7; elem_type 0 means empty.
    private static string DescribeOptional(ProtoReader reader)
    {
        var name = "";
        var elementKind = 0;
        var hasValue = false;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    name = reader.ReadString(field, "name");
                    break;
                case 2:
                    elementKind = reader.ReadInt32(field, "elem_type");
                    break;
                case >= 3 and <= 7:
                    reader.ReadBytes(field, "value");
                    hasValue = true;
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return hasValue
            ? $"{Label(name)} is an OptionalProto holding a {DescribeElementKind(elementKind)}"
            : $"{Label(name)} is an empty OptionalProto";
    }

    // SparseTensorProto: values=1, indices=2, dims=3.
    private static string DescribeSparseTensor(ProtoReader reader)
    {
        var dims = new List<long>();
        while (reader.TryReadField(out var field))
        {
            if (field.Number == 3)
            {
                reader.ReadRepeatedInt64(field, "dims", dims);
            }
            else
            {
                reader.Skip(field);
            }
        }

        return $"value is a SparseTensorProto of shape {TensorProtoReader.Describe(dims)}";
    }

    private static string Label(string name) => name.Length > 0 ? $"value '{name}'" : "unnamed value";

    // The elem_type numbering SequenceProto and OptionalProto share.
    private static string DescribeElementKind(int kind) => kind switch
    {
        1 => "tensor",
        2 => "sparse tensor",
        3 => "sequence",
        4 => "map",
        5 => "optional",
        _ => $"kind-{kind}",
    };
}
