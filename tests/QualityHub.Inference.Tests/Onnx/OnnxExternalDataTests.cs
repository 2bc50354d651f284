using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

/// <summary>Tensors kept outside the model file are found wherever ONNX lets a tensor sit.</summary>
public class OnnxExternalDataTests
{
    [Fact]
    public void An_initializer_with_external_data_is_named()
    {
        Assert.Equal("w", OnnxExternalData.FindIn(TestOnnxModels.ExternalWeights()));
    }

    [Fact]
    public void A_model_with_every_tensor_inside_has_none()
    {
        Assert.Null(OnnxExternalData.FindIn(TestOnnxModels.Relu()));
        Assert.Null(OnnxExternalData.FindIn(TestOnnxModels.AbsurdInitializer()));
    }

    [Fact]
    public void No_model_of_the_ONNX_backend_tests_keeps_data_outside_its_file()
    {
        var models = BackendTestCase.Discover(BackendTestCase.DebianRoot).Select(test => test.ModelPath).ToList();

        Assert.Equal(1072, models.Count);
        Assert.All(models, model => Assert.Null(OnnxExternalData.FindInFile(model)));
    }

    [Theory]
    [InlineData("data_location")]
    [InlineData("external_data")]
    public void Either_field_alone_marks_a_tensor_as_external(string field)
    {
        var tensor = new ProtoBytes().String(8, "c");
        tensor = field == "data_location" ? tensor.Varint(14, 1) : tensor.Message(13, new ProtoBytes().String(1, "location").String(2, "c.bin"));

        Assert.Equal("c", OnnxExternalData.FindIn(ModelWithGraph(new ProtoBytes().Message(5, tensor))));
    }

    [Fact]
    public void A_tensor_marked_default_is_inside()
    {
        var tensor = new ProtoBytes().String(8, "c").Varint(14, 0);

        Assert.Null(OnnxExternalData.FindIn(ModelWithGraph(new ProtoBytes().Message(5, tensor))));
    }

    [Fact]
    public void A_constant_inside_an_If_branch_is_searched()
    {
        // If node → attribute then_branch (g) → graph → Constant node → attribute value (t) with external data.
        var external = new ProtoBytes().String(8, "deep").Varint(14, 1);
        var constant = new ProtoBytes().String(2, "k").String(4, "Constant").Message(5, new ProtoBytes().String(1, "value").Message(5, external));
        var branch = new ProtoBytes().Message(1, constant);
        var ifNode = new ProtoBytes().String(1, "cond").String(4, "If").Message(5, new ProtoBytes().String(1, "then_branch").Message(6, branch));

        Assert.Equal("deep", OnnxExternalData.FindIn(ModelWithGraph(new ProtoBytes().Message(1, ifNode))));
    }

    [Fact]
    public void Sparse_initializers_and_model_local_functions_are_searched()
    {
        var external = new ProtoBytes().String(8, "sparse").Varint(14, 1);
        var sparse = ModelWithGraph(new ProtoBytes().Message(15, new ProtoBytes().Message(1, external)));
        var constant = new ProtoBytes().String(4, "Constant").Message(5, new ProtoBytes().String(1, "value").Message(5, external));
        var function = new ProtoBytes().Varint(1, 8).Message(25, new ProtoBytes().String(1, "f").Message(7, constant)).ToArray();

        Assert.Equal("sparse", OnnxExternalData.FindIn(sparse));
        Assert.Equal("sparse", OnnxExternalData.FindIn(function));
    }

    [Fact]
    public void Bytes_that_are_not_protobuf_are_a_format_error()
    {
        Assert.Throws<OnnxFormatException>(() => OnnxExternalData.FindIn([0x3A, 0xFF, 0xFF, 0xFF, 0x0F]));
    }

    private static byte[] ModelWithGraph(ProtoBytes graph) => new ProtoBytes().Varint(1, 8).Message(7, graph).ToArray();
}
