namespace QualityHub.Inference.Tasks;

/// <summary>A decoded text and the confidence of each of its characters.</summary>
public sealed record DecodedText(string Text, IReadOnlyList<string> Characters, IReadOnlyList<float> Confidences)
{
    /// <summary>The least confident character's confidence (1 for an empty text): one weak character spoils a card number.</summary>
    public float MinConfidence => Confidences.Count == 0 ? 1f : Confidences.Min();
}

/// <summary>CTC greedy (best-path) decoding.</summary>
public static class CtcDecoding
{
    /// <summary>
    /// Takes the most probable class at every time step, merges consecutive repeats, and drops the blank.
    /// A character's confidence is the highest softmax probability among the steps that produced it.
    /// <paramref name="scores"/> is [time, classes] row-major.
    /// </summary>
    public static DecodedText Greedy(ReadOnlySpan<float> scores, int classes, CtcSettings settings, bool scoresAreProbabilities = false)
    {
        if (classes != settings.Charset.Count + 1)
        {
            throw new ArgumentException($"The model emits {classes} classes per step but the charset has {settings.Charset.Count} characters plus the blank.");
        }

        if (scores.Length % classes != 0)
        {
            throw new ArgumentException($"{scores.Length} scores are not a whole number of steps of {classes} classes.");
        }

        var characters = new List<string>();
        var confidences = new List<float>();
        var previous = -1;
        for (var t = 0; t < scores.Length / classes; t++)
        {
            var step = scores.Slice(t * classes, classes);
            var probabilities = scoresAreProbabilities ? step.ToArray() : Classification.Softmax(step);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (probabilities[c] > probabilities[best])
                {
                    best = c;
                }
            }

            if (best != settings.BlankIndex)
            {
                if (best == previous)
                {
                    confidences[^1] = Math.Max(confidences[^1], probabilities[best]);
                }
                else
                {
                    characters.Add(settings.Charset[best < settings.BlankIndex ? best : best - 1]);
                    confidences.Add(probabilities[best]);
                }
            }

            previous = best;
        }

        return new DecodedText(string.Concat(characters), characters, confidences);
    }
}
