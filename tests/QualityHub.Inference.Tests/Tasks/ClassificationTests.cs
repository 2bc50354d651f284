using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Tests.Tasks;

public class ClassificationTests
{
    [Fact]
    public void Softmax_matches_values_computed_by_hand()
    {
        // e^1, e^2, e^3 over their sum: 0.0900306, 0.2447285, 0.6652410
        var p = Classification.Softmax([1f, 2f, 3f]);

        Assert.Equal(0.0900306, p[0], 6);
        Assert.Equal(0.2447285, p[1], 6);
        Assert.Equal(0.6652410, p[2], 6);
    }

    [Fact]
    public void Softmax_does_not_overflow_on_large_scores()
    {
        var p = Classification.Softmax([1000f, 1000f, -1000f]);

        Assert.Equal(0.5, p[0], 6);
        Assert.Equal(0.5, p[1], 6);
        Assert.Equal(0, p[2], 6);
    }

    [Fact]
    public void Top_k_orders_by_probability_with_labels_and_keeps_ties_in_index_order()
    {
        var top = Classification.TopK([0.1f, 0.4f, 0.1f, 0.4f], ["a", "b", "c", "d"], 3);

        Assert.Equal(["b", "d", "a"], top.Select(s => s.Label));
        Assert.Equal([1, 3, 0], top.Select(s => s.Index));
    }

    [Fact]
    public void Top_k_names_classes_without_labels_and_stops_at_the_class_count()
    {
        var top = Classification.TopK([0.7f, 0.3f], [], 5);

        Assert.Equal(["class 0", "class 1"], top.Select(s => s.Label));
    }

    [Fact]
    public void Top_k_equals_a_full_stable_sort_on_random_scores_with_many_ties()
    {
        var random = new Random(20261201);
        for (var round = 0; round < 2000; round++)
        {
            var n = random.Next(1, 40);
            // Few distinct values, so ties are common.
            var p = Enumerable.Range(0, n).Select(_ => random.Next(0, 6) / 5f).ToArray();
            var k = random.Next(1, n + 3);

            var expected = Enumerable.Range(0, n).OrderByDescending(i => p[i]).ThenBy(i => i).Take(k).ToArray();
            var actual = Classification.TopK(p, [], k).Select(s => s.Index).ToArray();

            Assert.Equal(expected, actual);
        }
    }
}
