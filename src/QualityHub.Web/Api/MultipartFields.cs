using Microsoft.AspNetCore.WebUtilities;

namespace QualityHub.Web.Api;

/// <summary>
/// The text fields of a streamed multipart upload, read within limits: no field past <see cref="MaxFieldChars"/>, no
/// more than <see cref="MaxTotalChars"/> over all fields, no more than <see cref="MaxFields"/> fields. A field is held
/// in memory, unlike a file, so it is read no further than its limit allows: a 300 MiB field costs one buffer of the
/// limit, and the request ends there. Both upload endpoints (models, datasets) read their fields through this.
/// </summary>
public sealed class MultipartFields(int maxFieldChars, int maxTotalChars, int maxFields)
{
    private int fields;
    private int totalChars;

    public int MaxFieldChars { get; } = maxFieldChars;

    public int MaxTotalChars { get; } = maxTotalChars;

    public int MaxFields { get; } = maxFields;

    /// <summary>The field's text; a <see cref="MultipartLimitException"/> when it breaks a limit.</summary>
    public async Task<string> ReadAsync(MultipartSection section, string name, CancellationToken cancellationToken)
    {
        if (++fields > MaxFields)
        {
            throw new MultipartLimitException($"The form has more than {MaxFields} fields.");
        }

        var allowed = Math.Min(MaxFieldChars, MaxTotalChars - totalChars);
        using var text = new StreamReader(section.Body);
        var value = new char[allowed + 1];
        var length = await text.ReadBlockAsync(value.AsMemory(), cancellationToken);
        if (length > allowed)
        {
            throw new MultipartLimitException(allowed < MaxFieldChars
                ? $"The form's fields are over {Describe(MaxTotalChars)} together (at '{name}')."
                : $"Field '{name}' is over {Describe(MaxFieldChars)}.");
        }

        totalChars += length;
        return new string(value, 0, length);
    }

    private static string Describe(int chars) => chars >= 1024 * 1024 ? $"{chars / (1024 * 1024)} MiB" : $"{chars / 1024} KiB";
}

/// <summary>A multipart form broke one of its limits: a 400 that names which.</summary>
public sealed class MultipartLimitException(string message) : Exception(message);
