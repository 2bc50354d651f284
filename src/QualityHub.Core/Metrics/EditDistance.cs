namespace QualityHub.Core.Metrics;

/// <summary>Levenshtein distance between strings, counted in UTF-16 code units.</summary>
public static class EditDistance
{
    /// <summary>
    /// The least number of single-character insertions, deletions and substitutions turning
    /// <paramref name="source"/> into <paramref name="target"/>. O(|s|·|t|) time, O(min(|s|,|t|)) memory.
    /// </summary>
    public static int Levenshtein(ReadOnlySpan<char> source, ReadOnlySpan<char> target)
    {
        if (source.Length < target.Length)
        {
            var swap = source;
            source = target;
            target = swap;
        }

        if (target.Length == 0)
        {
            return source.Length;
        }

        // One row of the dynamic-programming table, over the shorter string.
        Span<int> row = target.Length <= 256 ? stackalloc int[target.Length + 1] : new int[target.Length + 1];
        for (var j = 0; j <= target.Length; j++)
        {
            row[j] = j;
        }

        for (var i = 1; i <= source.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= target.Length; j++)
            {
                var above = row[j];
                var substitution = diagonal + (source[i - 1] == target[j - 1] ? 0 : 1);
                row[j] = Math.Min(Math.Min(above + 1, row[j - 1] + 1), substitution);
                diagonal = above;
            }
        }

        return row[target.Length];
    }

    /// <summary>
    /// Levenshtein distance divided by the longer length: 0 for equal strings, 1 for nothing in common.
    /// Two empty strings are equal (0).
    /// </summary>
    public static double Normalized(ReadOnlySpan<char> source, ReadOnlySpan<char> target)
    {
        var longer = Math.Max(source.Length, target.Length);
        return longer == 0 ? 0.0 : (double)Levenshtein(source, target) / longer;
    }
}
