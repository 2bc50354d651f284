using System.Text.RegularExpressions;

namespace QualityHub.Core.Domain;

/// <summary>A kind of failure a modeler can put on samples (blur, rotation, label noise…); each module keeps its own list.</summary>
public sealed class ErrorTag
{
    public int Id { get; set; }
    public int ModuleId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An error tag put on a sample. Tags belong to the sample, so the same failure kind can be followed across runs.</summary>
public sealed class SampleErrorTag
{
    public long SampleId { get; set; }
    public int ErrorTagId { get; set; }
    public ErrorTag? ErrorTag { get; set; }

    /// <summary>The account or API key that tagged the sample.</summary>
    public string TaggedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A modeler's note on a sample.</summary>
public sealed class SampleNote
{
    public long Id { get; set; }
    public long SampleId { get; set; }
    public required string Text { get; set; }

    /// <summary>The account or API key that wrote the note.</summary>
    public string Author { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>"The ground truth looks wrong": a sample flagged for relabelling, with the label someone suggests.</summary>
public sealed class GroundTruthFlag
{
    public long SampleId { get; set; }
    public string? SuggestedLabel { get; set; }
    public string Reason { get; set; } = "";

    /// <summary>The account or API key that flagged the sample.</summary>
    public string FlaggedBy { get; set; } = "";
    public DateTimeOffset FlaggedAt { get; set; }
}

/// <summary>The seed list of error tags and the rules for a tag's name.</summary>
public static partial class ErrorTaxonomy
{
    public const int MaxNameLength = 40;
    public const int MaxNoteLength = 4000;

    /// <summary>The tags every new module starts with; each module's list is then edited on its own.</summary>
    public static readonly IReadOnlyList<string> DefaultTags =
        ["blur", "rotation", "occlusion", "low contrast", "handwriting", "shadow", "highlighter", "label noise"];

    /// <summary>The stored form of a tag name (trimmed, single spaces, lower case), or why it cannot be one.</summary>
    public static string Normalize(string? name)
    {
        var collapsed = Spaces().Replace(name?.Trim() ?? "", " ").ToLowerInvariant();
        if (collapsed.Length == 0)
        {
            throw new ArgumentException("A tag needs a name.");
        }

        if (collapsed.Length > MaxNameLength)
        {
            throw new ArgumentException($"A tag name has at most {MaxNameLength} characters, not {collapsed.Length}.");
        }

        if (!Allowed().IsMatch(collapsed))
        {
            throw new ArgumentException($"A tag name may contain letters, digits, spaces, '-' and '_' only, and starts with a letter or digit: \"{collapsed}\" does not.");
        }

        return collapsed;
    }

    public static List<ErrorTag> Defaults(DateTimeOffset now) => DefaultTags.Select(t => new ErrorTag { Name = t, CreatedAt = now }).ToList();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} _\-]*$")]
    private static partial Regex Allowed();
}
