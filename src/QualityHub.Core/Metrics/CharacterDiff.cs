namespace QualityHub.Core.Metrics;

/// <summary>How one position of an alignment between an expected and an actual string differs.</summary>
public enum DiffKind
{
    /// <summary>The same character in both.</summary>
    Equal,

    /// <summary>The actual string has another character here.</summary>
    Substituted,

    /// <summary>The actual string has a character the expected one lacks.</summary>
    Inserted,

    /// <summary>The actual string lacks a character the expected one has.</summary>
    Deleted,
}

/// <summary>One step of an alignment; a character is null where its side has none.</summary>
public sealed record DiffStep(DiffKind Kind, char? Expected, char? Actual, int? ActualIndex);

/// <summary>Character-level difference between a ground truth and a model's output, as reviewers read it.</summary>
public static class CharacterDiff
{
    /// <summary>
    /// A least-cost alignment (Levenshtein: each insertion, deletion and substitution costs one), listed from the
    /// first character to the last. Its non-equal steps number exactly <see cref="EditDistance.Levenshtein"/>.
    /// Where several alignments cost the same, substitutions are preferred, then deletions.
    /// </summary>
    public static IReadOnlyList<DiffStep> Align(string expected, string actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var cost = CostTable(expected, actual);
        var steps = new List<DiffStep>(Math.Max(expected.Length, actual.Length));
        int i = expected.Length, j = actual.Length;
        while (i > 0 || j > 0)
        {
            if (i > 0 && j > 0 && cost[i, j] == cost[i - 1, j - 1] + (expected[i - 1] == actual[j - 1] ? 0 : 1))
            {
                var kind = expected[i - 1] == actual[j - 1] ? DiffKind.Equal : DiffKind.Substituted;
                steps.Add(new DiffStep(kind, expected[i - 1], actual[j - 1], j - 1));
                i--;
                j--;
            }
            else if (i > 0 && cost[i, j] == cost[i - 1, j] + 1)
            {
                steps.Add(new DiffStep(DiffKind.Deleted, expected[i - 1], null, null));
                i--;
            }
            else
            {
                steps.Add(new DiffStep(DiffKind.Inserted, null, actual[j - 1], j - 1));
                j--;
            }
        }

        steps.Reverse();
        return steps;
    }

    private static int[,] CostTable(string expected, string actual)
    {
        var cost = new int[expected.Length + 1, actual.Length + 1];
        for (var i = 0; i <= expected.Length; i++)
        {
            cost[i, 0] = i;
        }

        for (var j = 0; j <= actual.Length; j++)
        {
            cost[0, j] = j;
        }

        for (var i = 1; i <= expected.Length; i++)
        {
            for (var j = 1; j <= actual.Length; j++)
            {
                var substitution = cost[i - 1, j - 1] + (expected[i - 1] == actual[j - 1] ? 0 : 1);
                cost[i, j] = Math.Min(substitution, Math.Min(cost[i - 1, j], cost[i, j - 1]) + 1);
            }
        }

        return cost;
    }
}
