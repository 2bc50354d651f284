namespace QualityHub.Web.Features.Pipelines;

/// <summary>
/// How a pipeline run's photo filter is read from a query string — by the photos API (<c>filter</c>, <c>field</c>) and
/// by a run's gallery link (<c>blame</c>, <c>field</c>) alike: a name in any case, never a number; empty is the fallback.
/// </summary>
public static class PhotoQuery
{
    public static bool TryParse<T>(string? text, T fallback, out T value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (text.Any(char.IsAsciiDigit) || !Enum.TryParse(type, text, ignoreCase: true, out var parsed) || !Enum.IsDefined(type, parsed))
        {
            return false;
        }

        value = (T)parsed!;
        return true;
    }

    /// <summary>The names a query may give, as it may give them: "detector, recogniser, …".</summary>
    public static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
}
