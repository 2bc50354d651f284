using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Tests.Tasks;

public class CtcDecodingTests
{
    private static readonly CtcSettings Digits = new() { BlankIndex = 0, Charset = ["1", "2", "3"] };

    // One-hot probability rows for a sequence of classes.
    private static float[] Steps(params int[] classes)
    {
        var scores = new float[classes.Length * 4];
        for (var t = 0; t < classes.Length; t++)
        {
            scores[t * 4 + classes[t]] = 1f;
        }

        return scores;
    }

    [Fact]
    public void Repeats_merge_blanks_separate_and_are_dropped()
    {
        // 1 1 _ 1 2 2 _ _ 3 → "1123"
        var text = CtcDecoding.Greedy(Steps(1, 1, 0, 1, 2, 2, 0, 0, 3), 4, Digits, scoresAreProbabilities: true);

        Assert.Equal("1123", text.Text);
        Assert.Equal(4, text.Confidences.Count);
    }

    [Fact]
    public void A_blank_at_another_index_is_honoured()
    {
        var settings = new CtcSettings { BlankIndex = 3, Charset = ["a", "b", "c"] };

        var text = CtcDecoding.Greedy(Steps(0, 3, 0, 1, 2, 3), 4, settings, scoresAreProbabilities: true);

        Assert.Equal("aabc", text.Text);
    }

    [Fact]
    public void A_characters_confidence_is_the_best_step_that_produced_it()
    {
        // Logits: step 0 class 1 with p = e^2/(e^2+3) = 0.7112, step 1 class 1 with p = e^3/(e^3+3) = 0.8700.
        float[] logits = [0, 2, 0, 0, 0, 3, 0, 0];

        var text = CtcDecoding.Greedy(logits, 4, Digits);

        Assert.Equal("1", text.Text);
        Assert.Equal(0.8700, text.Confidences[0], 4);
        Assert.Equal(0.8700, text.MinConfidence, 4);
    }

    [Fact]
    public void A_charset_that_does_not_match_the_classes_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => CtcDecoding.Greedy(new float[10], 5, Digits));

        Assert.Contains("5 classes", error.Message);
    }
}
