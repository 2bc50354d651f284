using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Conformance;

/// <summary>
/// Runs ONNX backend test cases (model.onnx + test_data_set_N/input_K.pb → output_K.pb) through our binding and
/// compares the outputs with the expected ones: floating point within |actual − expected| ≤ atol + rtol·|expected|
/// (rtol 1e-3, atol 1e-7, NaN equals NaN), everything else exactly. A case passes when every data set does; it is
/// skipped when it needs something the binding does not do (string, sequence or map values, omitted optional
/// inputs, element types without a .NET array), and fails otherwise, with the reason.
/// </summary>
public sealed class ConformanceRunner(SessionSettings settings)
{
    public const double RelativeTolerance = 1e-3;
    public const double AbsoluteTolerance = 1e-7;

    public CaseResult Run(BackendTestCase testCase)
    {
        try
        {
            if (testCase.DataSets.Count == 0)
            {
                return CaseResult.Skip(testCase, "no test data sets");
            }

            using var session = OnnxSession.Load(testCase.ModelPath, settings, name: testCase.ToString());
            foreach (var dataSet in testCase.DataSets)
            {
                var outcome = RunDataSet(session, dataSet);
                if (outcome is not null)
                {
                    return outcome.Value.Skipped ? CaseResult.Skip(testCase, outcome.Value.Reason) : CaseResult.Fail(testCase, outcome.Value.Reason);
                }
            }

            return CaseResult.Pass(testCase);
        }
        catch (OnnxUnsupportedException e)
        {
            return CaseResult.Skip(testCase, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CaseResult.Fail(testCase, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static (bool Skipped, string Reason)? RunDataSet(OnnxSession session, BackendTestDataSet dataSet)
    {
        if (dataSet.Inputs.Count != session.Inputs.Count)
        {
            return (true, $"{dataSet.Name} gives {dataSet.Inputs.Count} input(s) for {session.Inputs.Count} declared; omitted optional inputs are not supported");
        }

        if (session.Inputs.Concat(session.Outputs).FirstOrDefault(i => !i.IsTensor) is { } nonTensor)
        {
            return (true, $"'{nonTensor.Name}' is a sequence, map or optional value; the binding handles tensors only");
        }

        if (session.Inputs.Concat(session.Outputs).FirstOrDefault(i => !Supported(i.ElementType)) is { } unsupported)
        {
            return (true, $"'{unsupported.Name}' holds {unsupported.ElementType} elements, which the binding does not support");
        }

        var inputs = new List<Tensor>();
        try
        {
            for (var i = 0; i < dataSet.Inputs.Count; i++)
            {
                var value = OnnxValueReader.ReadFile(dataSet.Inputs[i], OnnxValueKind.Tensor);
                inputs.Add(Tensor.FromBytes(value.ElementType, value.Data, value.Shape));
            }

            var actual = session.Run(inputs);
            try
            {
                for (var o = 0; o < dataSet.Outputs.Count && o < actual.Length; o++)
                {
                    var expected = OnnxValueReader.ReadFile(dataSet.Outputs[o], OnnxValueKind.Tensor);
                    if (Compare(expected, actual[o]) is { } difference)
                    {
                        return (false, $"{dataSet.Name} output {o} ('{session.Outputs[o].Name}'): {difference}");
                    }
                }

                if (dataSet.Outputs.Count != actual.Length)
                {
                    return (false, $"{dataSet.Name} expects {dataSet.Outputs.Count} output(s), the model gave {actual.Length}");
                }
            }
            finally
            {
                foreach (var tensor in actual)
                {
                    tensor.Dispose();
                }
            }
        }
        finally
        {
            foreach (var tensor in inputs)
            {
                tensor.Dispose();
            }
        }

        return null;
    }

    private static bool Supported(TensorElementType type) => type is
        TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Int16 or TensorElementType.UInt16 or
        TensorElementType.Int32 or TensorElementType.UInt32 or TensorElementType.Int64 or TensorElementType.UInt64 or
        TensorElementType.Bool;

    /// <summary>Null when the outputs agree, else what differs first.</summary>
    internal static string? Compare(OnnxTensor expected, Tensor actual)
    {
        if (expected.ElementType != actual.ElementType)
        {
            return $"element type {actual.ElementType}, expected {expected.ElementType}";
        }

        if (!expected.Shape.AsSpan().SequenceEqual(actual.Shape))
        {
            return $"shape [{string.Join(", ", actual.Shape.ToArray())}], expected [{string.Join(", ", expected.Shape)}]";
        }

        return actual.ElementType switch
        {
            TensorElementType.Float => CompareFloating(expected.Values<float>(), actual.AsSpan<float>(), static v => v),
            TensorElementType.Double => CompareFloating(expected.Values<double>(), actual.AsSpan<double>(), static v => v),
            TensorElementType.Float16 => CompareFloating(expected.Values<Half>(), actual.AsSpan<Half>(), static v => (double)v),
            _ => expected.Data.AsSpan().SequenceEqual(actual.AsBytes()) ? null : "values differ",
        };
    }

    private static string? CompareFloating<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, Func<T, double> toDouble)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            double e = toDouble(expected[i]), a = toDouble(actual[i]);
            var same = double.IsNaN(e) ? double.IsNaN(a) : double.IsInfinity(e) ? e == a : Math.Abs(a - e) <= AbsoluteTolerance + RelativeTolerance * Math.Abs(e);
            if (!same)
            {
                return $"element {i} is {a:G9}, expected {e:G9}";
            }
        }

        return null;
    }
}

/// <summary>The outcome of one backend test case.</summary>
public sealed record CaseResult(string Suite, string Case, CaseOutcome Outcome, string Reason)
{
    public static CaseResult Pass(BackendTestCase c) => new(c.Suite, c.Name, CaseOutcome.Pass, "");

    public static CaseResult Fail(BackendTestCase c, string reason) => new(c.Suite, c.Name, CaseOutcome.Fail, reason);

    public static CaseResult Skip(BackendTestCase c, string reason) => new(c.Suite, c.Name, CaseOutcome.Skip, reason);

    /// <summary>One tab-separated report line: suite, case, pass|fail|skip, reason (tabs and newlines flattened).</summary>
    public string ToReportLine() =>
        $"{Suite}\t{Case}\t{Outcome.ToString().ToLowerInvariant()}\t{Reason.ReplaceLineEndings(" ").Replace('\t', ' ').Trim()}";
}

/// <summary>pass, fail or skip.</summary>
public enum CaseOutcome
{
    Pass,
    Fail,
    Skip,
}
