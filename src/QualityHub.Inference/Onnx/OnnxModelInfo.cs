namespace QualityHub.Inference.Onnx;

/// <summary>What an ONNX model file says about itself, read without loading it into ONNX Runtime.</summary>
/// <remarks>
/// Opsets maps domain to version, with "" for the default ai.onnx domain. NodeCount counts the main graph's nodes,
/// not those of subgraphs (If, Loop, Scan bodies). Inputs lists every declared graph input in order, including
/// those backed by initializers (see <see cref="RequiredInputs"/>). InitializerCount and ParameterCount cover dense
/// and sparse initializers of the main graph; ParameterCount sums the products of their dims (a sparse
/// initializer counts its dense shape).
/// </remarks>
public sealed record OnnxModelInfo(
    long IrVersion,
    string ProducerName,
    string ProducerVersion,
    string Domain,
    long ModelVersion,
    string DocString,
    IReadOnlyDictionary<string, long> Opsets,
    IReadOnlyDictionary<string, string> MetadataProps,
    string GraphName,
    int NodeCount,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs,
    int InitializerCount,
    long ParameterCount)
{
    /// <summary>The inputs a caller must feed: those not backed by an initializer.</summary>
    public IReadOnlyList<OnnxValueInfo> RequiredInputs => [.. Inputs.Where(input => !input.HasInitializer)];
}
