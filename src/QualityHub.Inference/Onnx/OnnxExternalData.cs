namespace QualityHub.Inference.Onnx;

/// <summary>
/// Finds tensors an ONNX model keeps outside its own file (TensorProto data_location EXTERNAL, or external_data
/// entries). ONNX Runtime reads such data from a path relative to the model, so a model that names one makes the
/// server read a file beside it: a registry that accepts uploads must refuse them before ONNX Runtime sees them.
/// </summary>
/// <remarks>
/// Every place a TensorProto can sit is searched, not only the main graph's initializers: constant attributes of
/// nodes, subgraphs of If, Loop and Scan, sparse tensors, model-local functions and training graphs.
/// </remarks>
public static class OnnxExternalData
{
    private const int External = 1;

    /// <summary>The name of the first tensor that keeps its data outside the model (an unnamed one is ""), or null when none does.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not well-formed protobuf.</exception>
    public static string? FindIn(ReadOnlySpan<byte> model) => InModel(new ProtoReader(model, "ModelProto"));

    /// <summary>As <see cref="FindIn"/>, reading the file by memory-mapping it.</summary>
    public static string? FindInFile(string path) => MappedFile.Read(path, FindIn);

    // ModelProto: graph=7, training_info=20 (TrainingInfoProto: initialization=1, algorithm=2), functions=25 (FunctionProto: node=7).
    private static string? InModel(ProtoReader reader)
    {
        while (reader.TryReadField(out var field))
        {
            var found = field.Number switch
            {
                7 => InGraph(reader.ReadMessage(field, "graph", "GraphProto")),
                20 => InMessage(reader.ReadMessage(field, "training_info", "TrainingInfoProto"), graphFields: [1, 2], nodeField: 0),
                25 => InMessage(reader.ReadMessage(field, "functions", "FunctionProto"), graphFields: [], nodeField: 7),
                _ => Skipped(ref reader, field),
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // GraphProto: node=1, initializer=5, sparse_initializer=15.
    private static string? InGraph(ProtoReader reader)
    {
        while (reader.TryReadField(out var field))
        {
            var found = field.Number switch
            {
                1 => InNode(reader.ReadMessage(field, "node", "NodeProto")),
                5 => InTensor(reader.ReadMessage(field, "initializer", "TensorProto")),
                15 => InSparseTensor(reader.ReadMessage(field, "sparse_initializer", "SparseTensorProto")),
                _ => Skipped(ref reader, field),
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // A message holding graphs and/or nodes at the given field numbers (TrainingInfoProto, FunctionProto).
    private static string? InMessage(ProtoReader reader, int[] graphFields, int nodeField)
    {
        while (reader.TryReadField(out var field))
        {
            var found = graphFields.Contains(field.Number) ? InGraph(reader.ReadMessage(field, "graph", "GraphProto"))
                : field.Number == nodeField ? InNode(reader.ReadMessage(field, "node", "NodeProto"))
                : Skipped(ref reader, field);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // NodeProto: attribute=5.
    private static string? InNode(ProtoReader reader)
    {
        while (reader.TryReadField(out var field))
        {
            var found = field.Number == 5 ? InAttribute(reader.ReadMessage(field, "attribute", "AttributeProto")) : Skipped(ref reader, field);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // AttributeProto: t=5, g=6, tensors=10, graphs=11, sparse_tensor=22, sparse_tensors=23.
    private static string? InAttribute(ProtoReader reader)
    {
        while (reader.TryReadField(out var field))
        {
            var found = field.Number switch
            {
                5 or 10 => InTensor(reader.ReadMessage(field, "t", "TensorProto")),
                6 or 11 => InGraph(reader.ReadMessage(field, "g", "GraphProto")),
                22 or 23 => InSparseTensor(reader.ReadMessage(field, "sparse_tensor", "SparseTensorProto")),
                _ => Skipped(ref reader, field),
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // SparseTensorProto: values=1, indices=2.
    private static string? InSparseTensor(ProtoReader reader)
    {
        while (reader.TryReadField(out var field))
        {
            var found = field.Number is 1 or 2 ? InTensor(reader.ReadMessage(field, "values", "TensorProto")) : Skipped(ref reader, field);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // TensorProto: name=8, external_data=13, data_location=14. Either of the last two makes ONNX Runtime look for a file.
    private static string? InTensor(ProtoReader reader)
    {
        var name = "";
        var external = false;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 8:
                    name = reader.ReadString(field, "name");
                    break;
                case 13:
                    reader.Skip(field);
                    external = true;
                    break;
                case 14:
                    external |= reader.ReadInt32(field, "data_location") == External;
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return external ? name : null;
    }

    private static string? Skipped(ref ProtoReader reader, ProtoField field)
    {
        reader.Skip(field);
        return null;
    }
}
