namespace QualityHub.TestSupport;

/// <summary>
/// Tiny ONNX models written field by field (onnx.proto's field numbers), for tests of what the registry accepts
/// and refuses: one that ONNX Runtime loads, and hostile ones that are well-formed protobuf yet must not be registered.
/// Every model computes from x, float [1, 4], to y, float [1, 4].
/// </summary>
public static class TestOnnxModels
{
    private const int Float = 1;

    /// <summary>y = Relu(x): the well-behaved model the hostile ones are variations of.</summary>
    public static byte[] Relu() => Model(Graph([Node("Relu", ["x"], ["y"])]));

    /// <summary>y = Add(x, w), where w keeps its data in <paramref name="location"/>, a file beside the model (ONNX external data).</summary>
    public static byte[] ExternalWeights(string location = "weights.bin")
    {
        var weights = new ProtoBytes()
            .PackedVarints(1, 1, 4)
            .Varint(2, Float)
            .String(8, "w")
            .Message(13, Entry("location", location))
            .Message(13, Entry("offset", "0"))
            .Message(13, Entry("length", "16"))
            .Varint(14, 1); // data_location EXTERNAL
        return Model(Graph([Node("Add", ["x", "w"], ["y"])], weights));
    }

    /// <summary>y = <paramref name="opType"/>(x), an operator of the default domain that ONNX does not define.</summary>
    public static byte[] UnknownOperator(string opType = "NoSuchOp") => Model(Graph([Node(opType, ["x"], ["y"])]));

    /// <summary>a = Add(x, b), b = Relu(a), y = Relu(a): a and b each need the other first.</summary>
    public static byte[] Cycle() => Model(Graph([Node("Add", ["x", "b"], ["a"]), Node("Relu", ["a"], ["b"]), Node("Relu", ["a"], ["y"])]));

    /// <summary>y = Add(x, w), where w claims 100,000 × 100,000 × 1 × 4 floats (160 GB) and carries none.</summary>
    public static byte[] AbsurdInitializer()
    {
        var weights = new ProtoBytes().PackedVarints(1, 100_000, 100_000, 1, 4).Varint(2, Float).String(8, "w");
        return Model(Graph([Node("Add", ["x", "w"], ["y"])], weights));
    }

    /// <summary>
    /// y = ReduceMax(Expand(x, [rows, 4]), axes [0]) = x: a model of a few hundred bytes that needs rows × 16 bytes
    /// of memory while it runs (1 GiB for 64 Mi rows), for tests of memory limits.
    /// </summary>
    public static byte[] MemoryHungry(long rows)
    {
        const int Int64 = 7;
        var shape = new ProtoBytes().PackedVarints(1, 2).Varint(2, Int64).PackedVarints(7, rows, 4).String(8, "shape");
        // AttributeProto: name=1, ints=8, type=20 (INTS = 7).
        var axes = new ProtoBytes().String(1, "axes").PackedVarints(8, 0).Varint(20, 7);
        var reduce = Node("ReduceMax", ["big"], ["y"]).Message(5, axes);
        return Model(Graph([Node("Expand", ["x", "shape"], ["big"]), reduce], shape));
    }

    // ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 (OperatorSetIdProto: version=2).
    private static byte[] Model(ProtoBytes graph) => new ProtoBytes()
        .Varint(1, 8)
        .String(2, "qualityhub-tests")
        .Message(7, graph)
        .Message(8, new ProtoBytes().Varint(2, 13))
        .ToArray();

    // GraphProto: node=1, name=2, initializer=5, input=11, output=12.
    private static ProtoBytes Graph(ProtoBytes[] nodes, ProtoBytes? initializer = null)
    {
        var graph = new ProtoBytes();
        foreach (var node in nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, "test-graph");
        if (initializer is not null)
        {
            graph.Message(5, initializer);
        }

        return graph.Message(11, FloatTensorValue("x")).Message(12, FloatTensorValue("y"));
    }

    // NodeProto: input=1, output=2, op_type=4.
    private static ProtoBytes Node(string opType, string[] inputs, string[] outputs)
    {
        var node = new ProtoBytes();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        return node.String(4, opType);
    }

    // ValueInfoProto { name=1, type=2: TypeProto { tensor_type=1: { elem_type=1, shape=2: { dim=1: { dim_value=1 } } } } }, shape [1, 4].
    private static ProtoBytes FloatTensorValue(string name)
    {
        var shape = new ProtoBytes().Message(1, new ProtoBytes().Varint(1, 1)).Message(1, new ProtoBytes().Varint(1, 4));
        var tensorType = new ProtoBytes().Varint(1, Float).Message(2, shape);
        return new ProtoBytes().String(1, name).Message(2, new ProtoBytes().Message(1, tensorType));
    }

    // StringStringEntryProto: key=1, value=2.
    private static ProtoBytes Entry(string key, string value) => new ProtoBytes().String(1, key).String(2, value);
}
