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
        // Insertion into a list of at most k: O(n·k), no sort of all n classes (k is small, and this runs per image).
        k = Math.Min(k, probabilities.Length);
        Span<int> best = k <= 64 ? stackalloc int[k] : new int[k];
        var count = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            if (count == k && !(p > probabilities[best[k - 1]]))
            {
                continue;
            }

            // Strictly greater moves ahead, so an equal probability stays behind the lower index that came first.
            var at = count < k ? count++ : k - 1;
            while (at > 0 && p > probabilities[best[at - 1]])
            {
                best[at] = best[at - 1];
                at--;
            }

            best[at] = i;
        }

        var result = new ClassScore[count];
        for (var r = 0; r < count; r++)
        {
            var i = best[r];
            result[r] = new ClassScore(i, i < labels.Count ? labels[i] : $"class {i}", probabilities[i]);
        }

        return result;
    }
}
