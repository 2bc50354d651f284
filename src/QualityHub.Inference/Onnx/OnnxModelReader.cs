namespace QualityHub.Inference.Onnx;

/// <summary>Reads <see cref="OnnxModelInfo"/> from an ONNX model (a serialized ModelProto) without loading its weights.</summary>
/// <remarks>
/// The parser works on a span and skips initializer data by its length prefix, so nothing of the weights is copied.
/// <see cref="ReadFile"/> memory-maps the file instead of reading it, so a model of hundreds of MB is not copied
/// even once: only the pages holding the fields read are touched. Protobuf caps a message at 2 GB, so does this.
/// </remarks>
public static class OnnxModelReader
{
    private const string Message = "ModelProto";

    /// <summary>Reads a model held in memory (an upload, a byte array).</summary>
    /// <exception cref="OnnxFormatException">The bytes are not an ONNX model ("not an ONNX model: …") or a malformed one.</exception>
    public static OnnxModelInfo Read(ReadOnlySpan<byte> model)
    {
        if (model.IsEmpty)
        {
            throw new OnnxFormatException("not an ONNX model: it is empty");
        }

        if (ForeignFileSignature.Describe(model) is { } foreign)
        {
            throw new OnnxFormatException($"not an ONNX model: {foreign}");
        }

        var looksLikeOnnx = false;
        try
        {
            return ReadModel(new ProtoReader(model, Message), ref looksLikeOnnx);
        }
        catch (OnnxFormatException e) when (e is not OnnxUnsupportedException)
        {
            if (looksLikeOnnx)
            {
                throw new OnnxFormatException($"malformed ONNX model: {e.Message}", e);
            }

            var hint = DescribeTensor(model) ?? ForeignFileSignature.DescribeText(model);
            throw new OnnxFormatException(hint is null ? $"not an ONNX model: {e.Message}" : $"not an ONNX model: {hint} ({e.Message})", e);
        }
    }

    /// <summary>Reads a model file by memory-mapping it (see <see cref="MappedFile"/>); the file is never copied into managed memory.</summary>
    public static OnnxModelInfo ReadFile(string path) => MappedFile.Read(path, Read);

    /// <summary>A hint when the bytes are a serialized tensor, the file most often confused with a model here.</summary>
    private static string? DescribeTensor(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var tensor = TensorProtoReader.Read(bytes);
            return $"the bytes are a TensorProto ({tensor}), such as a backend test's input_0.pb";
        }
        catch (OnnxFormatException)
        {
            return null;
        }
    }

    private static OnnxModelInfo ReadModel(ProtoReader reader, ref bool looksLikeOnnx)
    {
        long irVersion = 0;
        long modelVersion = 0;
        string producerName = "", producerVersion = "", domain = "", docString = "";
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var irVersionFields = 0;
        GraphSummary? graph = null;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    irVersion = reader.ReadInt64(field, "ir_version");
                    irVersionFields++;
                    break;
                case 2:
                    producerName = reader.ReadString(field, "producer_name");
                    break;
                case 3:
                    producerVersion = reader.ReadString(field, "producer_version");
                    break;
                case 4:
                    domain = reader.ReadString(field, "domain");
                    break;
                case 5:
                    modelVersion = reader.ReadInt64(field, "model_version");
                    break;
                case 6:
                    docString = reader.ReadString(field, "doc_string");
                    break;
                case 7:
                    graph = ReadGraph(reader.ReadMessage(field, "graph", "GraphProto"));
                    break;
                case 8:
                    ReadOpset(reader.ReadMessage(field, "opset_import", "OperatorSetIdProto"), opsets);
                    break;
                case 14:
                    ReadMetadataEntry(reader.ReadMessage(field, "metadata_props", "StringStringEntryProto"), metadata);
                    break;
                default:
                    reader.Skip(field);
                    break;
            }

            // Serializers write ir_version first, once, and it is small (11 in 2025). Bytes that open so and then
            // hold another field read correctly are a damaged model rather than another format. A TensorProto
            // with unpacked dims also opens with varints in field 1, but it repeats them.
            looksLikeOnnx |= field.Number != 1 && irVersionFields == 1 && irVersion is > 0 and < 1000;
        }

        if (irVersion <= 0)
        {
            throw new OnnxFormatException(irVersion == 0 ? $"{Message} has no ir_version" : $"{Message} has invalid ir_version {irVersion}");
        }

        if (graph is null)
        {
            throw new OnnxFormatException($"{Message} has no graph");
        }

        var inputs = graph.Inputs
            .Select(input => graph.InitializerNames.Contains(input.Name) ? input with { HasInitializer = true } : input)
            .ToArray();
        return new OnnxModelInfo(
            irVersion,
            producerName,
            producerVersion,
            domain,
            modelVersion,
            docString,
            opsets,
            metadata,
            graph.Name,
            graph.NodeCount,
            inputs,
            graph.Outputs,
            graph.InitializerCount,
            graph.ParameterCount);
    }

    // GraphProto: node=1, name=2, initializer=5, doc_string=10, input=11, output=12, value_info=13, sparse_initializer=15.
    private static GraphSummary ReadGraph(ProtoReader reader)
    {
        var graph = new GraphSummary();
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    // Nodes are counted, not parsed: their attributes may hold whole subgraphs we have no use for.
                    reader.ReadBytes(field, "node");
                    graph.NodeCount++;
                    break;
                case 2:
                    graph.Name = reader.ReadString(field, "name");
                    break;
                case 5:
                    graph.AddInitializer(TensorProtoReader.ReadNameAndCount(reader.ReadMessage(field, "initializer", "TensorProto")));
                    break;
                case 11:
                    graph.Inputs.Add(ValueInfoProtoReader.Read(reader.ReadMessage(field, "input", "ValueInfoProto")));
                    break;
                case 12:
                    graph.Outputs.Add(ValueInfoProtoReader.Read(reader.ReadMessage(field, "output", "ValueInfoProto")));
                    break;
                case 15:
                    graph.AddInitializer(ReadSparseInitializer(reader.ReadMessage(field, "sparse_initializer", "SparseTensorProto")));
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return graph;
    }

    // SparseTensorProto: values=1 (a TensorProto carrying the name), indices=2, dims=3 (the dense shape).
    private static (string Name, long ElementCount) ReadSparseInitializer(ProtoReader reader)
    {
        var name = "";
        var dims = new List<long>();
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    name = TensorProtoReader.ReadNameAndCount(reader.ReadMessage(field, "values", "TensorProto")).Name;
                    break;
                case 3:
                    reader.ReadRepeatedInt64(field, "dims", dims);
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        return (name, TensorProtoReader.ElementCount(dims, $"sparse initializer '{name}'"));
    }

    // OperatorSetIdProto: domain=1, version=2.
    private static void ReadOpset(ProtoReader reader, Dictionary<string, long> opsets)
    {
        var domain = "";
        long version = 0;
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    domain = reader.ReadString(field, "domain");
                    break;
                case 2:
                    version = reader.ReadInt64(field, "version");
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        // ONNX treats "ai.onnx" and "" as the same default domain.
        domain = domain == "ai.onnx" ? "" : domain;
        if (opsets.TryGetValue(domain, out var earlier) && earlier != version)
        {
            throw new OnnxFormatException($"{Message}: opset_import names domain '{domain}' twice, with versions {earlier} and {version}");
        }

        opsets[domain] = version;
    }

    // StringStringEntryProto: key=1, value=2.
    private static void ReadMetadataEntry(ProtoReader reader, Dictionary<string, string> metadata)
    {
        string key = "", value = "";
        while (reader.TryReadField(out var field))
        {
            switch (field.Number)
            {
                case 1:
                    key = reader.ReadString(field, "key");
                    break;
                case 2:
                    value = reader.ReadString(field, "value");
                    break;
                default:
                    reader.Skip(field);
                    break;
            }
        }

        if (metadata.TryGetValue(key, out var earlier) && earlier != value)
        {
            throw new OnnxFormatException($"{Message}: metadata_props has key '{key}' twice, with different values");
        }

        metadata[key] = value;
    }

    /// <summary>What the main graph holds, gathered while its fields stream past.</summary>
    private sealed class GraphSummary
    {
        public string Name { get; set; } = "";

        public int NodeCount { get; set; }

        public List<OnnxValueInfo> Inputs { get; } = [];

        public List<OnnxValueInfo> Outputs { get; } = [];

        public HashSet<string> InitializerNames { get; } = new(StringComparer.Ordinal);

        public int InitializerCount { get; private set; }

        public long ParameterCount { get; private set; }

        public void AddInitializer((string Name, long ElementCount) initializer)
        {
            if (initializer.ElementCount > long.MaxValue - ParameterCount)
            {
                throw new OnnxFormatException($"{Message}: the initializers hold more elements than can be counted");
            }

            InitializerNames.Add(initializer.Name);
            InitializerCount++;
            ParameterCount += initializer.ElementCount;
        }
    }
}
