namespace QualityHub.Inference.Tasks;

/// <summary>One class of a classifier's answer.</summary>
public sealed record ClassScore(int Index, string Label, float Probability);

/// <summary>Turns a classifier's output into probabilities and the top-k classes.</summary>
public static class Classification
{
    /// <summary>
    /// softmax(z)_i = exp(z_i − max z) / Σ_j exp(z_j − max z); subtracting the maximum keeps exp from overflowing
    /// and does not change the result.
    /// </summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var result = new float[logits.Length];
        if (logits.IsEmpty)
        {
            return result;
        }

        var max = float.NegativeInfinity;
        foreach (var z in logits)
        {
            max = Math.Max(max, z);
        }

        double sum = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var e = Math.Exp(logits[i] - max);
            result[i] = (float)e;
            sum += e;
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)(result[i] / sum);
        }

        return result;
    }

    /// <summary>The k most probable classes, most probable first; ties keep the lower index first.</summary>
    public static IReadOnlyList<ClassScore> TopK(ReadOnlySpan<float> probabilities, IReadOnlyList<string> labels, int k)
    {
        var order = new int[probabilities.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var values = probabilities.ToArray();
        Array.Sort(order, (a, b) => values[b].CompareTo(values[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order.Take(Math.Min(k, order.Length))
            .Select(i => new ClassScore(i, i < labels.Count ? labels[i] : $"class {i}", values[i]))
            .ToList();
    }
}
