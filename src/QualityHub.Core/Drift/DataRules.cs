using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace QualityHub.Core.Drift;

/// <summary>An inclusive range a descriptor's values are expected in.</summary>
public sealed record ValueRange(double Min, double Max);

/// <summary>
/// A module's data validation rules — unit tests for data, checked on every dataset imported for the module and on
/// every event ingested for it: the expected label set, the range of each input descriptor (image width and height
/// included), and the largest share of events allowed to lack a descriptor. A violation is counted, never refused:
/// the event or sample is real, and the rule is what the team expected of it.
/// </summary>
public sealed record DataRules
{
    public const int MaxLabels = 1000;

    /// <summary>The labels a classifier's outputs, its users' corrections and its datasets' truths are expected in; null for any.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Per descriptor (inputWidth, inputHeight, brightness, contrast, blur, confidence, feature:i) the range its values are expected in.</summary>
    public IReadOnlyDictionary<string, ValueRange>? Ranges { get; init; }

    /// <summary>Per descriptor the largest share (0–1) of events or samples that may lack it.</summary>
    public IReadOnlyDictionary<string, double>? MaxMissingShare { get; init; }

    /// <summary>A label or range rule alerts when more than this share of a window's checked events violates it.</summary>
    public double AlertShare { get; init; } = 0.01;

    /// <summary>How the rules are stored (module's DataRulesJson) and sent (GET/PUT /api/modules/{id}/data-rules).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The name the hourly violation counts are stored under beside the drift histograms (one bin per rule key).</summary>
    public const string CountsDescriptor = "(validation)";

    /// <summary>Rules read from their stored JSON; null for none or for JSON that is not rules.</summary>
    public static DataRules? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DataRules>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The rules ready to check many events or samples.</summary>
    public DataRuleSet Compile() => new(this);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => (Labels?.Count ?? 0) == 0 && (Ranges?.Count ?? 0) == 0 && (MaxMissingShare?.Count ?? 0) == 0;

    /// <summary>The descriptors a range or missing-share rule may name.</summary>
    public static bool IsCheckable(string descriptor) =>
        DriftDescriptors.Find(descriptor) is { IsContinuous: true, Side: DriftSide.Input } || descriptor == DriftDescriptors.Confidence.Name;

    /// <summary>What is wrong with these rules (field first), or null when they are usable.</summary>
    public string? Problem()
    {
        if (Labels is { } labels)
        {
            if (labels.Count > MaxLabels)
            {
                return $"labels holds at most {MaxLabels:N0} labels.";
            }

            if (labels.Any(l => string.IsNullOrWhiteSpace(l) || l.Length > DriftDescriptors.MaxLabelLength))
            {
                return $"labels must be 1 to {DriftDescriptors.MaxLabelLength} characters each.";
            }

            if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
            {
                return "labels names a label twice.";
            }
        }

        foreach (var (name, range) in Ranges ?? new Dictionary<string, ValueRange>())
        {
            if (!IsCheckable(name))
            {
                return $"ranges names '{name}', which is not an input descriptor or confidence.";
            }

            if (range is null || !double.IsFinite(range.Min) || !double.IsFinite(range.Max) || range.Min > range.Max)
            {
                return $"ranges.{name} needs finite min and max with min at most max.";
            }
        }

        foreach (var (name, share) in MaxMissingShare ?? new Dictionary<string, double>())
        {
            if (!IsCheckable(name))
            {
                return $"maxMissingShare names '{name}', which is not an input descriptor or confidence.";
            }

            if (!(share is >= 0 and <= 1))
            {
                return $"maxMissingShare.{name} must be from 0 to 1.";
            }
        }

        return AlertShare is >= 0 and <= 1 ? null : "alertShare must be from 0 to 1.";
    }

    /// <summary>The rules one by one, each with the key its violations are counted under.</summary>
    public IReadOnlyList<DataRule> Each()
    {
        var rules = new List<DataRule>();
        if (Labels is { Count: > 0 } labels)
        {
            var set = LabelSetId(labels);
            rules.Add(new DataRule($"label:predicted:{set}", DataRuleKind.Label, DriftDescriptors.Label.Name,
                $"The predicted label is one of the {labels.Count} expected labels", AlertShare));
            rules.Add(new DataRule($"label:corrected:{set}", DataRuleKind.Label, DriftDescriptors.Label.Name,
                $"A user's correction is one of the {labels.Count} expected labels", AlertShare));
            rules.Add(new DataRule($"label:truth:{set}", DataRuleKind.Label, DriftDescriptors.Label.Name,
                $"A sample's truth is one of the {labels.Count} expected labels", AlertShare));
        }

        foreach (var (name, range) in (Ranges ?? new Dictionary<string, ValueRange>()).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var title = DriftDescriptors.Find(name)!.Title;
            rules.Add(new DataRule($"range:{name}:{Number(range.Min)}:{Number(range.Max)}", DataRuleKind.Range, name,
                $"{title} is from {Number(range.Min)} to {Number(range.Max)}", AlertShare));
        }

        foreach (var (name, share) in (MaxMissingShare ?? new Dictionary<string, double>()).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            rules.Add(new DataRule($"missing:{name}", DataRuleKind.Missing, name,
                $"{DriftDescriptors.Find(name)!.Title} is missing from at most {share:0.##%}", share));
        }

        return rules;
    }

    /// <summary>Whether a rule applies to online events (the truth rule does not) or to datasets (only the truth label rule, and no confidence or feature rule, does).</summary>
    public static bool AppliesToEvents(DataRule rule) => !rule.Key.StartsWith("label:truth:", StringComparison.Ordinal);

    public static bool AppliesToDatasets(DataRule rule) =>
        rule.Kind == DataRuleKind.Label ? rule.Key.StartsWith("label:truth:", StringComparison.Ordinal)
        : rule.Descriptor != DriftDescriptors.Confidence.Name && !rule.Descriptor.StartsWith("feature:", StringComparison.Ordinal);

    /// <summary>A descriptor's value in an event's descriptors, or null when the event lacks it.</summary>
    public static double? ValueOf(EventDescriptors d, string descriptor) => descriptor switch
    {
        "inputWidth" => d.InputWidth,
        "inputHeight" => d.InputHeight,
        "brightness" => d.Brightness,
        "contrast" => d.Contrast,
        "blur" => d.Blur,
        "confidence" => d.Confidence,
        _ when descriptor.StartsWith("feature:", StringComparison.Ordinal)
               && int.TryParse(descriptor.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var i) => i < (d.Features?.Count ?? 0) ? d.Features![i] : null,
        _ => null,
    };

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    // Eight hex digits of the label set's SHA-256 (labels sorted): a changed set counts under a new key.
    private static string LabelSetId(IEnumerable<string> labels) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', labels.Order(StringComparer.Ordinal)))))[..8];
}

/// <summary>A module's rules compiled once to check many events or samples (label set hashed, rules listed).</summary>
public sealed class DataRuleSet
{
    private readonly HashSet<string> labels;
    private readonly IReadOnlyDictionary<string, ValueRange> ranges;

    internal DataRuleSet(DataRules rules)
    {
        Rules = rules.Each();
        labels = new HashSet<string>(rules.Labels ?? [], StringComparer.Ordinal);
        ranges = rules.Ranges ?? new Dictionary<string, ValueRange>();
    }

    public IReadOnlyList<DataRule> Rules { get; }

    /// <summary>Every rule that applies to online events, and whether this event broke it; the rule on a dataset's truth is not checked on events.</summary>
    public IEnumerable<(string Key, bool Broken)> Check(EventDescriptors descriptors, string? predicted, string? corrected)
    {
        foreach (var rule in Rules)
        {
            if (!DataRules.AppliesToEvents(rule))
            {
                continue;
            }

            var broken = rule.Kind switch
            {
                DataRuleKind.Label when rule.Key.StartsWith("label:predicted:", StringComparison.Ordinal) => predicted is not null && !labels.Contains(predicted),
                DataRuleKind.Label => corrected is not null && !labels.Contains(corrected),
                DataRuleKind.Range => DataRules.ValueOf(descriptors, rule.Descriptor) is { } v && Outside(v, ranges[rule.Descriptor]),
                _ => DataRules.ValueOf(descriptors, rule.Descriptor) is null,
            };
            yield return (rule.Key, broken);
        }
    }

    /// <summary>The keys of the rules one online event broke.</summary>
    public List<string> ViolatedBy(EventDescriptors descriptors, string? predicted, string? corrected) =>
        Check(descriptors, predicted, corrected).Where(c => c.Broken).Select(c => c.Key).ToList();

    /// <summary>
    /// The keys of the rules one dataset sample violates: its truth against the label set (classifiers), its image's
    /// size and description against the input ranges; an image that could not be described lacks every descriptor.
    /// Confidence and service features are not in datasets, so their rules are not checked here.
    /// </summary>
    public List<string> ViolatedBy(string truth, bool classifier, EventDescriptors? image)
    {
        var violated = new List<string>();
        foreach (var rule in Rules.Where(DataRules.AppliesToDatasets))
        {
            var broken = rule.Kind switch
            {
                DataRuleKind.Label => classifier && !labels.Contains(truth),
                DataRuleKind.Range => image is not null && DataRules.ValueOf(image, rule.Descriptor) is { } v && Outside(v, ranges[rule.Descriptor]),
                _ => image is null || DataRules.ValueOf(image, rule.Descriptor) is null,
            };
            if (broken)
            {
                violated.Add(rule.Key);
            }
        }

        return violated;
    }

    private static bool Outside(double value, ValueRange range) => value < range.Min || value > range.Max;
}

/// <summary>What a rule checks.</summary>
public enum DataRuleKind
{
    Label,
    Range,
    Missing,
}

/// <summary>
/// One rule: the key its violations are counted under (it names the rule's bounds, so counts made under a changed rule
/// are never read as the new rule's), the descriptor it checks, its text, and the share of violating events above
/// which it alerts.
/// </summary>
public sealed record DataRule(string Key, DataRuleKind Kind, string Descriptor, string Text, double MaxShare);

/// <summary>
/// How one rule fared over some events or samples: how many were checked, how many violated it, and the verdict — ok
/// (none), watch (some, within the rule's share), alert (more than its share). Examples name a few that violated it.
/// </summary>
public sealed record RuleCount(
    string Key, string Kind, string Descriptor, string Text, bool Current, long Checked, long Violations, double Share, double MaxShare, string Status,
    IReadOnlyList<string> Examples)
{
    /// <summary>Judges a rule's counts. Counts under an earlier rule (<paramref name="rule"/> null) are listed, never alerted on.</summary>
    public static RuleCount Of(string key, DataRule? rule, long checkedCount, long violations, IReadOnlyList<string> examples)
    {
        var share = checkedCount == 0 ? 0 : (double)violations / checkedCount;
        var status = rule is null || violations == 0 ? DriftStatus.Ok : share > rule.MaxShare ? DriftStatus.Alert : DriftStatus.Watch;
        return new RuleCount(key, (rule?.Kind ?? KindOf(key)).ToString().ToLowerInvariant(), rule?.Descriptor ?? key.Split(':')[1],
            rule?.Text ?? $"An earlier rule ({key})", rule is not null, checkedCount, violations, share, rule?.MaxShare ?? 0, status, examples);
    }

    private static DataRuleKind KindOf(string key) =>
        key.StartsWith("label:", StringComparison.Ordinal) ? DataRuleKind.Label : key.StartsWith("range:", StringComparison.Ordinal) ? DataRuleKind.Range : DataRuleKind.Missing;
}

/// <summary>A dataset checked against its module's rules: when, how many samples, how many images were described, each rule's count.</summary>
public sealed record DatasetValidation(DateTimeOffset CheckedAt, int Samples, int Described, IReadOnlyList<RuleCount> Rules)
{
    public string Status => DriftStatus.Worst(Rules.Select(r => r.Status).Append(DriftStatus.Ok));
}
