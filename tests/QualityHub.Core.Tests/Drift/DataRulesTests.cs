using QualityHub.Core.Drift;

namespace QualityHub.Core.Tests.Drift;

public sealed class DataRulesTests
{
    private static readonly DataRules Rules = new()
    {
        Labels = ["Shirt", "Sneaker", "Bag"],
        Ranges = new Dictionary<string, ValueRange>
        {
            ["brightness"] = new(0.1, 0.8),
            ["inputWidth"] = new(16, 64),
            ["confidence"] = new(0.2, 1),
            ["feature:1"] = new(-1, 1),
        },
        MaxMissingShare = new Dictionary<string, double> { ["blur"] = 0.02, ["confidence"] = 0.1 },
        AlertShare = 0.05,
    };

    [Fact]
    public void Each_rule_has_a_key_that_names_its_bounds_and_label_set()
    {
        var keys = Rules.Each().Select(r => r.Key).ToList();
        Assert.Equal(3 + 4 + 2, keys.Count);
        Assert.Contains("range:brightness:0.1:0.8", keys);
        Assert.Contains("range:inputWidth:16:64", keys);
        Assert.Contains("missing:blur", keys);
        var labelKeys = keys.Where(k => k.StartsWith("label:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["label:predicted:", "label:corrected:", "label:truth:"], labelKeys.Select(k => k[..(k.LastIndexOf(':') + 1)]));

        // The same set in another order counts under the same key; another set under another.
        var reordered = (Rules with { Labels = ["Bag", "Sneaker", "Shirt"] }).Each().Select(r => r.Key);
        Assert.Contains(labelKeys[0], reordered);
        Assert.DoesNotContain(labelKeys[0], (Rules with { Labels = ["Bag", "Sneaker"] }).Each().Select(r => r.Key));
        Assert.DoesNotContain("range:brightness:0.1:0.8", (Rules with { Ranges = new Dictionary<string, ValueRange> { ["brightness"] = new(0.1, 0.9) } }).Each().Select(r => r.Key));
    }

    [Fact]
    public void An_event_breaks_the_rules_its_values_or_labels_fall_outside_and_the_missing_rules_of_what_it_lacks()
    {
        var set = Rules.Compile();
        var fine = new EventDescriptors(Confidence: 0.9, InputWidth: 28, Brightness: 0.5, Blur: 0.3, Features: [0.0, 0.5]);
        Assert.Empty(set.ViolatedBy(fine, "Shirt", null));
        Assert.Empty(set.ViolatedBy(fine, "Shirt", "Bag"));

        var bad = new EventDescriptors(Confidence: 0.1, InputWidth: 65, Brightness: 0.05, Features: [0.0, 1.5]);
        var broken = set.ViolatedBy(bad, "Dress", "T-shirt");
        Assert.Equal(7, broken.Count);
        Assert.Contains(broken, k => k.StartsWith("label:predicted:", StringComparison.Ordinal));
        Assert.Contains(broken, k => k.StartsWith("label:corrected:", StringComparison.Ordinal));
        Assert.Contains("range:brightness:0.1:0.8", broken);
        Assert.Contains("range:inputWidth:16:64", broken);
        Assert.Contains("range:confidence:0.2:1", broken);
        Assert.Contains("range:feature:1:-1:1", broken);
        Assert.Contains("missing:blur", broken);

        // Bounds are inclusive; an event without a descriptor breaks no range rule on it, only its missing rule.
        Assert.Empty(set.ViolatedBy(new EventDescriptors(Confidence: 0.2, InputWidth: 64, Brightness: 0.1, Blur: 1), null, null));
        Assert.Equal(["missing:blur", "missing:confidence"], set.ViolatedBy(EventDescriptors.None, null, null).Order().ToList());
    }

    [Fact]
    public void A_sample_is_checked_on_its_truth_and_image_but_never_on_confidence_or_features()
    {
        var set = Rules.Compile();
        var image = new EventDescriptors(InputWidth: 28, InputHeight: 28, Brightness: 0.4, Blur: 0.2);
        Assert.Empty(set.ViolatedBy("Bag", classifier: true, image));
        var wrong = set.ViolatedBy("Dress", classifier: true, image with { InputWidth = 10 });
        Assert.Equal(2, wrong.Count);
        Assert.Contains(wrong, k => k.StartsWith("label:truth:", StringComparison.Ordinal));
        Assert.Contains("range:inputWidth:16:64", wrong);
        Assert.Empty(set.ViolatedBy("any text", classifier: false, image));

        // An image that could not be described lacks its description: the missing rules count it.
        Assert.Equal(["missing:blur"], set.ViolatedBy("Bag", classifier: true, null));
    }

    [Theory]
    [InlineData("{\"labels\":[\"a\",\"a\"]}", "labels names a label twice.")]
    [InlineData("{\"labels\":[\"\"]}", "labels must be 1 to 100 characters each.")]
    [InlineData("{\"ranges\":{\"label\":{\"min\":0,\"max\":1}}}", "ranges names 'label', which is not an input descriptor or confidence.")]
    [InlineData("{\"ranges\":{\"brightness\":{\"min\":0.9,\"max\":0.1}}}", "ranges.brightness needs finite min and max with min at most max.")]
    [InlineData("{\"maxMissingShare\":{\"blur\":1.5}}", "maxMissingShare.blur must be from 0 to 1.")]
    [InlineData("{\"maxMissingShare\":{\"textLength\":0.1}}", "maxMissingShare names 'textLength', which is not an input descriptor or confidence.")]
    [InlineData("{\"alertShare\":-0.1}", "alertShare must be from 0 to 1.")]
    public void Rules_that_make_no_sense_are_refused_with_the_field(string json, string problem) =>
        Assert.Equal(problem, DataRules.Parse(json)!.Problem());

    [Fact]
    public void Stored_rules_read_back_equal_and_text_that_is_not_rules_reads_as_none()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Rules, DataRules.Json);
        var back = DataRules.Parse(json)!;
        Assert.Equal(Rules.Each(), back.Each());
        Assert.Null(back.Problem());
        Assert.Null(DataRules.Parse("not json"));
        Assert.Null(DataRules.Parse(null));
        Assert.True(new DataRules().IsEmpty);
    }

    [Fact]
    public void A_rule_alerts_only_above_its_share_and_an_earlier_rule_never()
    {
        var rule = Rules.Each().Single(r => r.Key == "missing:blur");
        Assert.Equal(DriftStatus.Ok, RuleCount.Of(rule.Key, rule, 1000, 0, []).Status);
        Assert.Equal(DriftStatus.Watch, RuleCount.Of(rule.Key, rule, 1000, 20, []).Status); // 2 %: at the share, not above it
        Assert.Equal(DriftStatus.Alert, RuleCount.Of(rule.Key, rule, 1000, 21, []).Status);
        var earlier = RuleCount.Of("range:brightness:0:0.5", null, 1000, 900, []);
        Assert.Equal((DriftStatus.Ok, false, "range", "brightness"), (earlier.Status, earlier.Current, earlier.Kind, earlier.Descriptor));
    }
}
