using System.Text;

namespace QualityHub.Core.Metrics;

/// <summary>
/// How a module compares a recogniser's text with the truth, set by its planner: exactly (the default), or ignoring
/// letter case, spaces, and separators (<see cref="TextComparisons.Separators"/>) — "4111-1111" then equals
/// "4111 1111", and "ab/12" equals "AB12". Metrics are reported both raw and under the module's rule.
/// </summary>
[Flags]
public enum TextComparison
{
    Exact = 0,
    IgnoreCase = 1,
    IgnoreSpaces = 2,
    IgnoreSeparators = 4,
}

public static class TextComparisons
{
    /// <summary>The characters <see cref="TextComparison.IgnoreSeparators"/> drops.</summary>
    public const string Separators = "-/._";

    public const TextComparison All = TextComparison.IgnoreCase | TextComparison.IgnoreSpaces | TextComparison.IgnoreSeparators;

    /// <summary>The text as the rule compares it: case folded (invariant), white space and separators dropped as the rule says.</summary>
    public static string Normalize(string text, TextComparison rule)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (rule == TextComparison.Exact)
        {
            return text;
        }

        var kept = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if ((rule.HasFlag(TextComparison.IgnoreSpaces) && char.IsWhiteSpace(c)) || (rule.HasFlag(TextComparison.IgnoreSeparators) && Separators.Contains(c, StringComparison.Ordinal)))
            {
                continue;
            }

            kept.Append(rule.HasFlag(TextComparison.IgnoreCase) ? char.ToUpperInvariant(c) : c);
        }

        return kept.ToString();
    }

    /// <summary>The rule in words, e.g. "ignoring case, spaces and separators (- / . _)"; "exact" for none.</summary>
    public static string Describe(TextComparison rule)
    {
        var parts = new List<string>();
        if (rule.HasFlag(TextComparison.IgnoreCase))
        {
            parts.Add("case");
        }

        if (rule.HasFlag(TextComparison.IgnoreSpaces))
        {
            parts.Add("spaces");
        }

        if (rule.HasFlag(TextComparison.IgnoreSeparators))
        {
            parts.Add($"separators ({string.Join(' ', Separators.ToCharArray())})");
        }

        return parts.Count switch
        {
            0 => "exact",
            1 => $"ignoring {parts[0]}",
            _ => $"ignoring {string.Join(", ", parts[..^1])} and {parts[^1]}",
        };
    }
}
