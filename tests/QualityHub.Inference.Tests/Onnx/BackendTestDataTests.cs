using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tests.Onnx;

/// <remarks>
/// Expected figures come from Debian's python3-onnx 1.12 over the same files: each input_K.pb / output_K.pb parsed
/// as the kind its model declares for graph input / output K (as onnx.backend.test.runner does), then the count of
/// tensors, numpy.prod(dims) summed, len(raw_data) summed, and the string elements.
/// </remarks>
public class BackendTestDataTests
{
    private static string DataFile(string suiteAndCase, string file) =>
        Path.Combine(BackendTestCase.DebianRoot, suiteAndCase, "test_data_set_0", file);

    [Fact]
    public void Every_test_data_file_is_decoded_or_refused_as_unsupported_and_nothing_else()
    {
        var decoded = new List<(OnnxTensor Tensor, OnnxValueInfo Declared)>();
        var refused = new List<(string File, string Message)>();

        foreach (var test in BackendTestCase.Discover(BackendTestCase.DebianRoot))
        {
            var model = OnnxModelReader.ReadFile(test.ModelPath);
            foreach (var set in test.DataSets)
            {
                var files = set.Inputs.Select((file, k) => (file, model.Inputs[k]))
                    .Concat(set.Outputs.Select((file, k) => (file, model.Outputs[k])));
                foreach (var (file, declared) in files)
                {
                    try
                    {
                        decoded.Add((OnnxValueReader.ReadFile(file, declared.Kind), declared));
                    }
                    catch (OnnxUnsupportedException e)
                    {
                        refused.Add((file, e.Message));
                    }
                }
            }
        }

        Assert.Equal(3154, decoded.Count);
        Assert.Equal(51, refused.Count);
        Assert.Equal(43, refused.Count(r => r.Message.Contains("is a SequenceProto of") && r.Message.EndsWith("reading sequence values is not supported")));
        Assert.Equal(8, refused.Count(r => r.Message.Contains("OptionalProto") && r.Message.EndsWith("reading optional values is not supported")));

        Assert.Equal(3_690_193, decoded.Sum(d => d.Tensor.ElementCount));
        Assert.Equal(15_059_224, decoded.Sum(d => (long)d.Tensor.Data.Length));
        Assert.Equal(150, decoded.Sum(d => d.Tensor.Strings?.Length ?? 0));

        // ONNX 1.12 wrote its bfloat16 test tensors with data_type UINT16; every other file has the declared type.
        var mismatched = decoded.Where(d => d.Tensor.ElementType != d.Declared.ElementType).ToList();
        Assert.Equal(8, mismatched.Count);
        Assert.All(mismatched, d => Assert.Equal((TensorElementType.UInt16, TensorElementType.BFloat16), (d.Tensor.ElementType, d.Declared.ElementType)));
    }

    [Fact]
    public void Abs_test_output_is_the_absolute_value_of_its_input()
    {
        var input = OnnxValueReader.ReadFile(DataFile("node/test_abs", "input_0.pb"), OnnxValueKind.Tensor);
        var output = OnnxValueReader.ReadFile(DataFile("node/test_abs", "output_0.pb"), OnnxValueKind.Tensor);

        Assert.Equal(("x", "y"), (input.Name, output.Name));
        Assert.Equal([3L, 4, 5], input.Shape);
        // First element as python-onnx reads it: 1.764052391052246 (bits 1071762552).
        Assert.Equal(1071762552u, BitConverter.SingleToUInt32Bits(input.Values<float>()[0]));
        Assert.Equal(input.Values<float>().ToArray().Select(MathF.Abs), output.Values<float>().ToArray());
        Assert.Contains(input.Values<float>().ToArray(), value => value < 0);
    }

    [Fact]
    public void String_test_data_is_decoded_to_text()
    {
        var input = OnnxValueReader.ReadFile(DataFile("node/test_strnormalizer_export_monday_casesensintive_upper", "input_0.pb"), OnnxValueKind.Tensor);
        var output = OnnxValueReader.ReadFile(DataFile("node/test_strnormalizer_export_monday_casesensintive_upper", "output_0.pb"), OnnxValueKind.Tensor);

        Assert.Equal(["monday", "tuesday", "wednesday", "thursday"], input.Strings!);
        Assert.Equal(["TUESDAY", "WEDNESDAY", "THURSDAY"], output.Strings!);
    }

    [Fact]
    public void Float16_and_bool_test_data_keep_their_bit_patterns()
    {
        var halves = OnnxValueReader.ReadFile(DataFile("node/test_cast_FLOAT_to_FLOAT16", "output_0.pb"), OnnxValueKind.Tensor);
        var bools = OnnxValueReader.ReadFile(DataFile("node/test_and2d", "input_0.pb"), OnnxValueKind.Tensor);

        Assert.Equal(TensorElementType.Float16, halves.ElementType);
        Assert.Equal([14436, 14777, 14546], halves.Values<ushort>()[..3].ToArray());
        Assert.Equal((TensorElementType.Bool, 12L), (bools.ElementType, bools.ElementCount));
        Assert.Equal([true, true, true, true, true, false], bools.Values<bool>()[..6].ToArray());
    }

    [Fact]
    public void Every_truncation_and_bit_flip_of_a_test_data_file_is_decoded_or_refused_with_a_format_error()
    {
        var bytes = File.ReadAllBytes(DataFile("node/test_abs", "input_0.pb"));
        var refusedCuts = 0;
        for (var length = 0; length < bytes.Length; length++)
        {
            refusedCuts += DecodesOrRefuses(bytes[..length]);
        }

        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            DecodesOrRefuses(flipped);
        }

        // Every cut loses data_type, the name or part of raw_data, so every one is refused.
        Assert.Equal(bytes.Length, refusedCuts);
    }

    /// <summary>1 when refused with an OnnxFormatException, 0 when decoded; any other exception escapes.</summary>
    private static int DecodesOrRefuses(byte[] bytes)
    {
        try
        {
            TensorProtoReader.Read(bytes);
            return 0;
        }
        catch (OnnxFormatException)
        {
            return 1;
        }
    }
}
