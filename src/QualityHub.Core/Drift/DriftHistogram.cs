using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QualityHub.Core.Drift;

/// <summary>How many members a bin holds and how many of them were corrected (online) or wrong (in a reference run).</summary>
public readonly record struct DriftBin(long Count, long Corrections)
{
    public DriftBin Add(DriftBin other) => new(Count + other.Count, Corrections + other.Corrections);
}

/// <summary>
/// The distribution of one descriptor over some events (an hour of one release, a window, a reference run): counts and
/// corrections per bin — a continuous descriptor's fine bin (its index as the key) or a categorical one's value. Summed
/// across hours and releases like the latency histogram; stored as compact JSON.
/// </summary>
public sealed class DriftHistogram
{
    private readonly Dictionary<string, DriftBin> bins = new(StringComparer.Ordinal);

    /// <summary>Events described. For character classes the bins count characters, so their sum is not this.</summary>
    public long Events { get; private set; }

    public IReadOnlyDictionary<string, DriftBin> Bins => bins;

    public long Members => bins.Values.Sum(b => b.Count);

    public static string KeyOf(int bin) => bin.ToString(CultureInfo.InvariantCulture);

    /// <summary>Counts one event in one bin.</summary>
    public void AddEvent(string key, bool corrected)
    {
        Events++;
        AddMember(key, corrected);
    }

    /// <summary>Counts one event whose members fall in several bins (the characters of a text).</summary>
    public void AddEvent(IEnumerable<string> keys, bool corrected)
    {
        Events++;
        foreach (var key in keys)
        {
            AddMember(key, corrected);
        }
    }

    /// <summary>
    /// Counts one event checked against several data rules: each rule's bin counts the event, and counts it again as
    /// flagged (the bin's <see cref="DriftBin.Corrections"/>) when it broke the rule.
    /// </summary>
    public void AddChecks(IEnumerable<(string Key, bool Broken)> checks)
    {
        Events++;
        foreach (var (key, broken) in checks)
        {
            AddMember(key, broken);
        }
    }

    /// <summary>Adds another histogram's counts (another hour, another release).</summary>
    public void Add(DriftHistogram other)
    {
        Events += other.Events;
        foreach (var (key, bin) in other.bins)
        {
            bins[key] = bins.TryGetValue(key, out var mine) ? mine.Add(bin) : bin;
        }
    }

    /// <summary>Adds stored counts (<see cref="ToJson"/>'s form) to this histogram.</summary>
    public void AddJson(long events, string json)
    {
        Events += events;
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var bin = new DriftBin(property.Value[0].GetInt64(), property.Value[1].GetInt64());
            bins[property.Name] = bins.TryGetValue(property.Name, out var mine) ? mine.Add(bin) : bin;
        }
    }

    public static DriftHistogram FromJson(long events, string json)
    {
        var histogram = new DriftHistogram();
        histogram.AddJson(events, json);
        return histogram;
    }

    /// <summary><c>{"key":[count,corrections],…}</c>, keys in ordinal order so equal histograms store equal text.</summary>
    public string ToJson()
    {
        var text = new StringBuilder("{");
        foreach (var (key, bin) in bins.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(JsonSerializer.Serialize(key)).Append(":[")
                .Append(bin.Count.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(bin.Corrections.ToString(CultureInfo.InvariantCulture)).Append(']');
        }

        return text.Append('}').ToString();
    }

    /// <summary>A continuous descriptor's counts as an array over its fine bins.</summary>
    public DriftBin[] Dense(DriftScale scale)
    {
        var dense = new DriftBin[scale.Bins];
        foreach (var (key, bin) in bins)
        {
            if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < scale.Bins)
            {
                dense[index] = dense[index].Add(bin);
            }
        }

        return dense;
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> bins apart (the largest; ties by key) and counts the rest in
    /// <paramref name="other"/>: a classifier answering free text must not grow a row without bound.
    /// </summary>
    public void CapCategories(int max, string other)
    {
        if (bins.Count <= max)
        {
            return;
        }

        var dropped = bins.Where(b => b.Key != other).OrderByDescending(b => b.Value.Count).ThenBy(b => b.Key, StringComparer.Ordinal).Skip(max - 1).ToList();
        foreach (var (key, bin) in dropped)
        {
            bins.Remove(key);
            bins[other] = bins.TryGetValue(other, out var mine) ? mine.Add(bin) : bin;
        }
    }

    private void AddMember(string key, bool corrected)
    {
        var bin = new DriftBin(1, corrected ? 1 : 0);
        bins[key] = bins.TryGetValue(key, out var mine) ? mine.Add(bin) : bin;
    }
}
