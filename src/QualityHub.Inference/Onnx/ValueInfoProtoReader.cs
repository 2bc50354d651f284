namespace QualityHub.Inference.Onnx;

/// <summary>Reads a ValueInfoProto (a graph input or output) and the TypeProto inside it into an <see cref="OnnxValueInfo"/>.</summary>
internal static class ValueInfoProtoReader
{
    // ValueInfoProto: name=1, type=2.
    public static OnnxValueInfo Read(ProtoReader reader)
    {
        var name = "";
        var type = DeclaredType.Unknown;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    name = reader.ReadString(field, "name");
                    break;
                case 2:
                    type = ReadType(reader.ReadMessage(field, "type", "TypeProto"));
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return new OnnxValueInfo(name, type.Kind, type.ElementType, type.Shape, type.Name);
    }

    // TypeProto (a oneof; the last one set wins, as in protobuf): tensor_type=1, sequence_type=4, map_type=5,
    // sparse_tensor_type=8, optional_type=9. Sequence and Optional hold elem_type=1, Map key_type=1 and value_type=2.
    private static DeclaredType ReadType(ProtoReader reader)
    {
        var type = DeclaredType.Unknown;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    type = ReadTensorType(reader.ReadMessage(field, "tensor_type", "TypeProto.Tensor"), OnnxValueKind.Tensor, "tensor");
                    break;
                case 8:
                    type = ReadTensorType(reader.ReadMessage(field, "sparse_tensor_type", "TypeProto.SparseTensor"), OnnxValueKind.SparseTensor, "sparse_tensor");
                    break;
                case 4:
                    var sequence = ReadElementType(reader.ReadMessage(field, "sequence_type", "TypeProto.Sequence"));
                    type = new DeclaredType(OnnxValueKind.Sequence, null, null, $"seq({sequence.Name})");
                    break;
                case 9:
                    var optional = ReadElementType(reader.ReadMessage(field, "optional_type", "TypeProto.Optional"));
                    type = new DeclaredType(OnnxValueKind.Optional, null, null, $"optional({optional.Name})");
                    break;
                case 5:
                    type = ReadMapType(reader.ReadMessage(field, "map_type", "TypeProto.Map"));
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return type;
    }

    // TypeProto.Sequence and TypeProto.Optional: elem_type=1 (a TypeProto).
    private static DeclaredType ReadElementType(ProtoReader reader)
    {
        var element = DeclaredType.Unknown;
        while (reader.TryReadField(out var field))
        {
            if (field.Number == 1)
            {
                element = ReadType(reader.ReadMessage(field, "elem_type", "TypeProto"));
            }
            else
            {
                reader.Skip(field);
            }
        }

        return element;
    }

    // TypeProto.Map: key_type=1 (an element type), value_type=2 (a TypeProto).
    private static DeclaredType ReadMapType(ProtoReader reader)
    {
        var key = TensorElementType.Undefined;
        var value = DeclaredType.Unknown;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    key = (TensorElementType)reader.ReadInt32(field, "key_type");
                    break;
                case 2:
                    value = ReadType(reader.ReadMessage(field, "value_type", "TypeProto"));
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return new DeclaredType(OnnxValueKind.Map, null, null, $"map({key.OnnxName()},{value.Name})");
    }

    // TypeProto.Tensor and TypeProto.SparseTensor: elem_type=1, shape=2.
    private static DeclaredType ReadTensorType(ProtoReader reader, OnnxValueKind kind, string typeName)
    {
        TensorElementType? elementType = null;
        List<OnnxDimension>? shape = null;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    var value = reader.ReadInt32(field, "elem_type");
                    elementType = value == 0 ? null : (TensorElementType)value;
                    break;
                case 2:
                    shape = ReadShape(reader.ReadMessage(field, "shape", "TensorShapeProto"));
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        var name = $"{typeName}({elementType?.OnnxName() ?? "undefined"})";
        return new DeclaredType(kind, elementType, shape, name);
    }

    // TensorShapeProto: dim=1; Dimension: dim_value=1, dim_param=2 (a oneof), denotation=3.
    private static List<OnnxDimension> ReadShape(ProtoReader reader)
    {
        var dims = new List<OnnxDimension>();
        while (reader.TryReadField(out var field))
        {
            if (field.Number != 1)
            {
                reader.Skip(field);
                continue;
            }

            var dimension = reader.ReadMessage(field, "dim", "TensorShapeProto.Dimension");
            var dim = new OnnxDimension(null, null);
            while (dimension.TryReadField(out var part))
            {
                switch (part.Number)
                {
                    case 1:
                        dim = new OnnxDimension(dimension.ReadInt64(part, "dim_value"), null);
                        break;
                    case 2:
                        dim = new OnnxDimension(null, dimension.ReadString(part, "dim_param"));
                        break;
                    default:
                        dimension.Skip(part);
                        break;
                }
            }

            dims.Add(dim);
        }

        return dims;
    }

    private sealed record DeclaredType(OnnxValueKind Kind, TensorElementType? ElementType, IReadOnlyList<OnnxDimension>? Shape, string Name)
    {
        public static readonly DeclaredType Unknown = new(OnnxValueKind.Unknown, null, null, "unknown");
    }
}
