namespace QualityHub.Inference.Onnx;

/// <summary>One test_data_set_N folder of an ONNX backend test: serialized inputs and expected outputs, in order.</summary>
/// <remarks>Inputs[k] is input_k.pb and matches the model's k-th graph input; Outputs[k] likewise.</remarks>
public sealed record BackendTestDataSet(string Name, string Directory, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
