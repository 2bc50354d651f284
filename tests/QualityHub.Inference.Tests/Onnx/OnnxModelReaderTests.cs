using System.Text;
using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

/// <remarks>
/// Facts about the real models below were read independently with Debian's python3-onnx 1.12
/// (onnx.load, then the model's fields and sum(numpy.prod(i.dims) for i in graph.initializer)).
/// </remarks>
public class OnnxModelReaderTests
{
    private static string ModelOf(string suiteAndCase) => Path.Combine(BackendTestCase.DebianRoot, suiteAndCase, "model.onnx");

    [Fact]
    public void Abs_node_test_declares_one_float_input_x_of_shape_3_4_5_and_output_y()
    {
        var info = OnnxModelReader.ReadFile(ModelOf("node/test_abs"));

        Assert.Equal(7, info.IrVersion);
        Assert.Equal("backend-test", info.ProducerName);
        Assert.Equal("", info.ProducerVersion);
        Assert.Equal(new Dictionary<string, long> { [""] = 13 }, info.Opsets);
        Assert.Empty(info.MetadataProps);
        Assert.Equal("test_abs", info.GraphName);
        Assert.Equal(1, info.NodeCount);
        var input = Assert.Single(info.Inputs);
        Assert.Equal(new OnnxValueInfo("x", OnnxValueKind.Tensor, TensorElementType.Float, input.Shape, "tensor(float)"), input);
        Assert.Equal([new(3, null), new(4, null), new OnnxDimension(5, null)], input.Shape!);
        var output = Assert.Single(info.Outputs);
        Assert.Equal("y", output.Name);
        Assert.Equal("3,4,5", string.Join(",", output.Shape!));
        Assert.Equal(0, info.InitializerCount);
        Assert.Equal(0, info.ParameterCount);
    }

    [Fact]
    public void Adagrad_node_test_imports_only_the_preview_training_domain_and_has_scalar_inputs()
    {
        var info = OnnxModelReader.ReadFile(ModelOf("node/test_adagrad"));

        Assert.Equal(new Dictionary<string, long> { ["ai.onnx.preview.training"] = 1 }, info.Opsets);
        Assert.Equal(["R", "T", "X", "G", "H"], info.Inputs.Select(input => input.Name));
        Assert.Equal(
            [TensorElementType.Float, TensorElementType.Int64, TensorElementType.Float, TensorElementType.Float, TensorElementType.Float],
            info.Inputs.Select(input => input.ElementType!.Value));
        Assert.Empty(info.Inputs[0].Shape!);
        Assert.Equal(["X_new", "H_new"], info.Outputs.Select(output => output.Name));
    }

    [Fact]
    public void A_symbolic_dimension_is_reported_by_its_name()
    {
        var info = OnnxModelReader.ReadFile(ModelOf("simple/test_sequence_model8"));

        Assert.Equal("Sequence", info.GraphName);
        Assert.Equal(2, info.NodeCount);
        Assert.Equal(new Dictionary<string, long> { [""] = 12 }, info.Opsets);
        Assert.Equal([new OnnxDimension(null, "n")], info.Inputs[0].Shape!);
        Assert.Equal("Splits", info.Inputs[1].Name);
        Assert.Equal("int64[3]", $"{info.Inputs[1].ElementType!.Value.OnnxName()}[{string.Join(",", info.Inputs[1].Shape!)}]");
        var output = Assert.Single(info.Outputs);
        Assert.Equal(("len", TensorElementType.Int64, 0), (output.Name, output.ElementType, output.Shape!.Count));
    }

    [Fact]
    public void Sequence_and_optional_graph_values_are_reported_with_their_kind_and_onnx_type_string()
    {
        var loop = OnnxModelReader.ReadFile(ModelOf("node/test_loop13_seq"));
        var optional = OnnxModelReader.ReadFile(ModelOf("node/test_optional_get_element"));

        Assert.Equal(["tensor(int64)", "tensor(bool)", "seq(tensor(float))"], loop.Inputs.Select(input => input.TypeName));
        Assert.Equal(OnnxValueKind.Sequence, loop.Inputs[2].Kind);
        Assert.Null(loop.Inputs[2].ElementType);
        Assert.Equal(OnnxValueKind.Optional, optional.Inputs[0].Kind);
        Assert.Equal("optional(tensor(float))", optional.Inputs[0].TypeName);
        Assert.Equal(8, optional.IrVersion);
    }

    [Fact]
    public void A_pytorch_converted_model_counts_its_initializers_and_marks_the_inputs_they_back()
    {
        var info = OnnxModelReader.ReadFile(ModelOf("pytorch-converted/test_Conv2d"));

        Assert.Equal(3, info.IrVersion);
        Assert.Equal(("pytorch", "0.3"), (info.ProducerName, info.ProducerVersion));
        Assert.Equal(new Dictionary<string, long> { [""] = 6 }, info.Opsets);
        Assert.Equal("torch-jit-export", info.GraphName);
        Assert.Equal(2, info.InitializerCount);
        // Weight [4,3,3,2] = 72 plus bias [4] = 4.
        Assert.Equal(76, info.ParameterCount);
        Assert.Equal(["0", "1", "2"], info.Inputs.Select(input => input.Name));
        Assert.Equal([false, true, true], info.Inputs.Select(input => input.HasInitializer));
        Assert.Equal("0", Assert.Single(info.RequiredInputs).Name);
        Assert.Equal("2,4,5,4", string.Join(",", Assert.Single(info.Outputs).Shape!));
    }

    [Theory]
    [InlineData("pytorch-operator/test_operator_conv", 1, 1872)]
    [InlineData("pytorch-converted/test_Conv3d_groups", 2, 330)]
    [InlineData("pytorch-converted/test_BatchNorm2d_eval", 4, 12)]
    [InlineData("pytorch-converted/test_ConvTranspose2d", 2, 112)]
    public void Parameter_counts_match_those_python_onnx_computes(string model, int initializers, long parameters)
    {
        var info = OnnxModelReader.ReadFile(ModelOf(model));

        Assert.Equal((initializers, parameters), (info.InitializerCount, info.ParameterCount));
    }

    [Fact]
    public void Parameters_over_every_backend_test_model_add_up_to_what_python_onnx_counts()
    {
        var infos = BackendTestCase.Discover(BackendTestCase.DebianRoot).Select(test => OnnxModelReader.ReadFile(test.ModelPath)).ToList();

        Assert.Equal(1072, infos.Count);
        Assert.Equal(52, infos.Count(info => info.InitializerCount > 0));
        Assert.Equal(5118, infos.Sum(info => info.ParameterCount));
    }

    [Fact]
    public void Every_model_field_is_read_from_a_hand_built_model()
    {
        var bytes = new ProtoBytes()
            .Varint(1, 9)
            .String(2, "qualityhub-tests")
            .String(3, "1.2.3")
            .String(4, "com.example.cards")
            .Varint(5, 42)
            .String(6, "reads card numbers")
            .Message(8, new ProtoBytes().String(1, "ai.onnx").Varint(2, 21))
            .Message(8, new ProtoBytes().String(1, "com.microsoft").Varint(2, 1))
            .Message(14, new ProtoBytes().String(1, "author").String(2, "team"))
            .Message(14, new ProtoBytes().String(1, "licence").String(2, "CC BY 4.0"))
            // Fields this reader does not know, of every wire type, including a group.
            .Varint(30, 1).Fixed64(31, 2).Fixed32(32, 3).String(33, "x").Tag(34, 3).Varint(1, 5).Tag(34, 4)
            .Message(7, new ProtoBytes()
                .String(2, "main")
                .Message(1, new ProtoBytes().String(4, "Conv"))
                .Message(1, new ProtoBytes().String(4, "Relu"))
                .Message(1, new ProtoBytes().String(4, "If"))
                .Message(5, new ProtoBytes().PackedVarints(1, 8, 3, 3, 3).Varint(2, 1).String(8, "w").Bytes(9, new byte[216 * 4]))
                .Message(5, new ProtoBytes().Varint(1, 8).Varint(2, 1).String(8, "b").PackedFloats(4, new float[8]))
                .Message(15, new ProtoBytes()
                    .Message(1, new ProtoBytes().Varint(1, 2).Varint(2, 1).String(8, "sparse").PackedFloats(4, 1, 2))
                    .PackedVarints(2, 0, 5)
                    .PackedVarints(3, 100, 10))
                .Message(11, ValueInfo("image", Tensor(TensorElementType.UInt8, Dim("batch"), Dim(3), UnknownDim(), Dim(224))))
                .Message(11, ValueInfo("w", Tensor(TensorElementType.Float, Dim(8), Dim(3), Dim(3), Dim(3))))
                .Message(11, ValueInfo("untyped", null))
                .Message(12, ValueInfo("labels", new ProtoBytes().Message(4, new ProtoBytes().Message(1, new ProtoBytes().Message(4, new ProtoBytes().Message(1, Tensor(TensorElementType.String)))))))
                .Message(12, ValueInfo("scores", new ProtoBytes().Message(5, new ProtoBytes().Varint(1, (int)TensorElementType.Int64).Message(2, Tensor(TensorElementType.Float)))))
                .Message(12, ValueInfo("sparse_out", new ProtoBytes().Message(8, new ProtoBytes().Varint(1, (int)TensorElementType.Double).Message(2, new ProtoBytes()))))
                .Message(13, ValueInfo("intermediate", Tensor(TensorElementType.Float))))
            .ToArray();

        var info = OnnxModelReader.Read(bytes);

        Assert.Equal((9L, "qualityhub-tests", "1.2.3", "com.example.cards", 42L, "reads card numbers"),
            (info.IrVersion, info.ProducerName, info.ProducerVersion, info.Domain, info.ModelVersion, info.DocString));
        Assert.Equal(new Dictionary<string, long> { [""] = 21, ["com.microsoft"] = 1 }, info.Opsets);
        Assert.Equal(new Dictionary<string, string> { ["author"] = "team", ["licence"] = "CC BY 4.0" }, info.MetadataProps);
        Assert.Equal(("main", 3), (info.GraphName, info.NodeCount));
        Assert.Equal(3, info.InitializerCount);
        // 8*3*3*3 + 8 + the sparse initializer's dense 100x10.
        Assert.Equal(216 + 8 + 1000, info.ParameterCount);

        Assert.Equal(["image", "w", "untyped"], info.Inputs.Select(input => input.Name));
        Assert.Equal("batch,3,?,224", string.Join(",", info.Inputs[0].Shape!));
        Assert.Equal(TensorElementType.UInt8, info.Inputs[0].ElementType);
        Assert.True(info.Inputs[1].HasInitializer);
        Assert.Equal(new OnnxValueInfo("untyped", OnnxValueKind.Unknown, null, null, "unknown"), info.Inputs[2]);
        Assert.Equal(["image", "untyped"], info.RequiredInputs.Select(input => input.Name));

        Assert.Equal(
            ["seq(seq(tensor(string)))", "map(int64,tensor(float))", "sparse_tensor(double)"],
            info.Outputs.Select(output => output.TypeName));
        Assert.Equal([OnnxValueKind.Sequence, OnnxValueKind.Map, OnnxValueKind.SparseTensor], info.Outputs.Select(output => output.Kind));
        Assert.Null(info.Outputs[0].Shape);
        Assert.Empty(info.Outputs[2].Shape!);
    }

    public static TheoryData<string, byte[], string> NotOnnx => new()
    {
        { "empty", [], "not an ONNX model: it is empty" },
        { "PNG", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "not an ONNX model: the bytes look like a PNG image" },
        { "JPEG", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16], "not an ONNX model: the bytes look like a JPEG image" },
        { "PyTorch zip", [(byte)'P', (byte)'K', 3, 4, 20, 0], "not an ONNX model: the bytes look like a ZIP archive" },
        { "text", Encoding.UTF8.GetBytes("name,label\ncard_001.png,4111 1111 1111 1111\n"), "not an ONNX model: the bytes look like text (" },
        { "JSON", Encoding.UTF8.GetBytes("{\"model\": \"resnet50\"}"), "not an ONNX model: the bytes look like text (" },
        { "protobuf without ir_version", new ProtoBytes().String(2, "someone").ToArray(), "not an ONNX model: ModelProto has no ir_version" },
        { "a TensorProto", new ProtoBytes().PackedVarints(1, 3, 4).Varint(2, 1).ToArray(), "not an ONNX model: ModelProto: ir_version (field 1) has wire type length-delimited" },
    };

    [Theory]
    [MemberData(nameof(NotOnnx))]
    public void Bytes_that_are_not_an_onnx_model_are_refused_saying_so(string what, byte[] bytes, string expected)
    {
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes));

        Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void A_backend_test_input_file_is_not_taken_for_a_model()
    {
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.ReadFile(Path.Combine(BackendTestCase.DebianRoot, "node/test_abs/test_data_set_0/input_0.pb")));

        Assert.Equal(
            "not an ONNX model: the bytes are a TensorProto ('x' float[3,4,5]), such as a backend test's input_0.pb " +
            "(ModelProto: producer_name (field 2) has wire type varint, expected length-delimited (at byte 6))",
            error.Message);
    }

    [Fact]
    public void A_truncated_model_is_reported_as_malformed_not_as_another_format()
    {
        var bytes = File.ReadAllBytes(ModelOf("node/test_abs"));

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes.AsSpan(0, 40)));

        Assert.Equal("malformed ONNX model: ModelProto: length 73 runs past the end (22 bytes left) (at byte 17)", error.Message);
    }

    [Fact]
    public void A_model_without_a_graph_is_refused()
    {
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(new ProtoBytes().Varint(1, 8).String(2, "exporter").ToArray()));

        Assert.Equal("malformed ONNX model: ModelProto has no graph", error.Message);
    }

    [Fact]
    public void Conflicting_opset_versions_for_one_domain_are_refused()
    {
        var bytes = new ProtoBytes()
            .Varint(1, 8)
            .Message(8, new ProtoBytes().Varint(2, 17))
            .Message(8, new ProtoBytes().String(1, "ai.onnx").Varint(2, 18))
            .Message(7, new ProtoBytes())
            .ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes));

        Assert.Contains("opset_import names domain '' twice, with versions 17 and 18", error.Message);
    }

    [Fact]
    public void Types_nested_past_the_limit_are_refused_without_exhausting_the_stack()
    {
        var type = Tensor(TensorElementType.Float);
        for (var level = 0; level < 200; level++)
        {
            type = new ProtoBytes().Message(4, new ProtoBytes().Message(1, type));
        }

        var bytes = new ProtoBytes().Varint(1, 8).String(2, "exporter").Message(7, new ProtoBytes().Message(11, ValueInfo("deep", type))).ToArray();

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes));

        Assert.StartsWith("malformed ONNX model: ", error.Message);
        Assert.Contains("messages nested deeper than 100 levels", error.Message);
    }

    [Fact]
    public void A_model_of_hundreds_of_megabytes_is_read_without_copying_its_weights()
    {
        // 75 million float weights (300 MB) as raw_data at the very end of the file, so the file can be made sparse.
        const long weights = 75_000_000;
        var rawLength = (ulong)(weights * 4);
        var initializerHeader = new ProtoBytes().PackedVarints(1, 1000, 75_000).Varint(2, 1).String(8, "w").Tag(9, 2).Raw(ProtoBytes.EncodeVarint(rawLength)).ToArray();
        var initializerLength = (ulong)initializerHeader.Length + rawLength;
        var graphHeader = new ProtoBytes()
            .String(2, "big")
            .Message(1, new ProtoBytes().String(4, "MatMul"))
            .Message(11, ValueInfo("x", Tensor(TensorElementType.Float, Dim("batch"), Dim(1000))))
            .Message(12, ValueInfo("y", Tensor(TensorElementType.Float, Dim("batch"), Dim(75_000))))
            .Tag(5, 2).Raw(ProtoBytes.EncodeVarint(initializerLength))
            .ToArray();
        var graphLength = (ulong)graphHeader.Length + initializerLength;
        var modelHeader = new ProtoBytes().Varint(1, 8).Message(8, new ProtoBytes().Varint(2, 17)).Tag(7, 2).Raw(ProtoBytes.EncodeVarint(graphLength)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"qualityhub-big-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write(modelHeader);
                file.Write(graphHeader);
                file.Write(initializerHeader);
                file.SetLength(file.Length + (long)rawLength);
            }

            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var info = OnnxModelReader.ReadFile(path);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

            Assert.True(new FileInfo(path).Length > 300_000_000);
            Assert.Equal(weights, info.ParameterCount);
            Assert.Equal(("big", 1, 1), (info.GraphName, info.NodeCount, info.InitializerCount));
            Assert.True(allocated < 1_000_000, $"reading the model allocated {allocated} bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_truncation_and_every_bit_flip_of_a_real_model_is_read_or_refused_with_a_format_error()
    {
        var bytes = File.ReadAllBytes(ModelOf("pytorch-converted/test_Conv2d"));
        var refusedCuts = 0;
        for (var length = 0; length < bytes.Length; length++)
        {
            refusedCuts += ReadsOrRefuses(bytes[..length]);
        }

        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            ReadsOrRefuses(flipped);
        }

        // The file ends graph, opset_import: only the cut right after the graph leaves a complete (opset-less) model.
        Assert.Equal(bytes.Length - 1, refusedCuts);
    }

    /// <summary>1 when the bytes are refused with an OnnxFormatException, 0 when they parse; anything else escapes.</summary>
    private static int ReadsOrRefuses(byte[] bytes)
    {
        try
        {
            OnnxModelReader.Read(bytes);
            return 0;
        }
        catch (OnnxFormatException)
        {
            return 1;
        }
    }

    private static ProtoBytes ValueInfo(string name, ProtoBytes? type)
    {
        var info = new ProtoBytes().String(1, name);
        return type is null ? info : info.Message(2, type);
    }

    /// <summary>A TypeProto with tensor_type; no dims means no shape at all (unknown rank).</summary>
    private static ProtoBytes Tensor(TensorElementType elementType, params ProtoBytes[] dims)
    {
        var tensor = new ProtoBytes().Varint(1, (int)elementType);
        if (dims.Length > 0)
        {
            var shape = new ProtoBytes();
            foreach (var dim in dims)
            {
                shape.Message(1, dim);
            }

            tensor.Message(2, shape);
        }

        return new ProtoBytes().Message(1, tensor);
    }

    private static ProtoBytes Dim(long value) => new ProtoBytes().Varint(1, value);

    private static ProtoBytes UnknownDim() => new();

    private static ProtoBytes Dim(string symbol) => new ProtoBytes().String(2, symbol);
}
