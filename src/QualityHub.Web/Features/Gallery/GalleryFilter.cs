using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace QualityHub.Web.Features.Gallery;

/// <summary>Which of a run's predictions a gallery shows.</summary>
public enum GalleryScope
{
    /// <summary>Wrong outputs and samples the model failed on.</summary>
    Failures,
    All,
}

/// <summary>The order of a gallery.</summary>
public enum GallerySort
{
    Dataset,
    ConfidenceHigh,
    ConfidenceLow,
    Loss,
    EditDistance,
}

/// <summary>Against a baseline run: right there and wrong here, or wrong there and right here.</summary>
public enum RunChange
{
    Regressions,
    Fixes,
}

/// <summary>
/// A gallery view. Every field round-trips through a query string (Parse, ToQuery), so a
/// filtered view is a URL to share, and the page and <c>GET /api/evaluations/{id}/gallery</c> read the same names.
/// </summary>
public sealed record GalleryFilter(
    GalleryScope Scope = GalleryScope.Failures,
    string? TrueLabel = null,
    string? PredictedLabel = null,
    double? MinConfidence = null,
    double? MaxConfidence = null,
    string? Kind = null,
    string? Tag = null,
    bool SuspectOnly = false,
    GallerySort Sort = GallerySort.Dataset,
    int? BaselineRunId = null,
    RunChange? Change = null)
{
    private static readonly Dictionary<string, GallerySort> Sorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dataset"] = GallerySort.Dataset,
        ["confidence-desc"] = GallerySort.ConfidenceHigh,
        ["confidence-asc"] = GallerySort.ConfidenceLow,
        ["loss"] = GallerySort.Loss,
        ["edit-distance"] = GallerySort.EditDistance,
    };

    /// <summary>The query-string names of each sort order.</summary>
    public static IReadOnlyCollection<string> SortNames => Sorts.Keys;

    public static string SortName(GallerySort sort) => Sorts.First(s => s.Value == sort).Key;

    /// <summary>True when the view is a confusion-matrix cell of a run compared with nothing.</summary>
    public bool IsCell => TrueLabel is not null && PredictedLabel is not null && Change is null;

    /// <summary>Reads a filter from query-string values; a value that cannot be read throws <see cref="GalleryException"/> naming it.</summary>
    public static GalleryFilter Parse(IReadOnlyDictionary<string, StringValues> query)
    {
        string? Text(string name) => query.TryGetValue(name, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString().Trim() is { Length: > 0 } t ? t : null : null;

        double? Probability(string name)
        {
            if (Text(name) is not { } raw)
            {
                return null;
            }

            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value is < 0 or > 1)
            {
                throw new GalleryException($"{name} is a confidence between 0 and 1, not '{raw}'.");
            }

            return value;
        }

        var scope = Text("scope") switch
        {
            null or "failures" => GalleryScope.Failures,
            "all" => GalleryScope.All,
            var other => throw new GalleryException($"scope is 'failures' or 'all', not '{other}'."),
        };
        var sort = Text("sort") is { } s
            ? Sorts.TryGetValue(s, out var known) ? known : throw new GalleryException($"sort is one of {string.Join(", ", Sorts.Keys)}, not '{s}'.")
            : GallerySort.Dataset;
        var min = Probability("minConf");
        var max = Probability("maxConf");
        if (min > max)
        {
            throw new GalleryException($"minConf ({min}) is above maxConf ({max}): no confidence is in that range.");
        }

        var suspect = Text("suspect") switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw new GalleryException($"suspect is 'true' or 'false', not '{other}'."),
        };

        int? baseline = null;
        if (Text("compareTo") is { } compareTo)
        {
            baseline = int.TryParse(compareTo, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                ? id
                : throw new GalleryException($"compareTo is the id of the run to compare with, not '{compareTo}'.");
        }

        RunChange? change = Text("change") switch
        {
            null => null,
            "regressions" => RunChange.Regressions,
            "fixes" => RunChange.Fixes,
            var other => throw new GalleryException($"change is 'regressions' or 'fixes', not '{other}'."),
        };
        if ((baseline is null) != (change is null))
        {
            throw new GalleryException("compareTo and change go together: compareTo=RUN_ID&change=regressions (or fixes).");
        }

        return new GalleryFilter(scope, Text("trueLabel"), Text("predLabel"), min, max, Text("kind"), Text("tag"), suspect, sort, baseline, change);
    }

    public static GalleryFilter Parse(string queryString) =>
        Parse(QueryHelpers.ParseQuery(queryString).ToDictionary(p => p.Key, p => p.Value));

    /// <summary>The query string of this view (without '?'); defaults are left out.</summary>
    public string ToQuery()
    {
        var parts = new List<KeyValuePair<string, string?>>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add(new(name, value));
            }
        }

        Add("scope", Scope == GalleryScope.All ? "all" : null);
        Add("trueLabel", TrueLabel);
        Add("predLabel", PredictedLabel);
        Add("minConf", MinConfidence?.ToString(CultureInfo.InvariantCulture));
        Add("maxConf", MaxConfidence?.ToString(CultureInfo.InvariantCulture));
        Add("kind", Kind);
        Add("tag", Tag);
        Add("suspect", SuspectOnly ? "true" : null);
        Add("sort", Sort == GallerySort.Dataset ? null : SortName(Sort));
        Add("compareTo", BaselineRunId?.ToString(CultureInfo.InvariantCulture));
        Add("change", Change?.ToString().ToLowerInvariant());
        return QueryHelpers.AddQueryString("", parts).TrimStart('?');
    }
}

/// <summary>A gallery request that cannot be answered, with the HTTP status that says why.</summary>
public sealed class GalleryException(string message, int statusCode = 400, string? field = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The request field at fault (tag, text, suggestedLabel, reason), when one is.</summary>
    public string? Field { get; } = field;
}
