namespace QualityHub.Web.Components.Shared;

/// <summary>How numbers read on pages.</summary>
public static class Formats
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1048576.0:0.#} MiB",
        _ => $"{bytes / 1073741824.0:0.##} GiB",
    };

    /// <summary>A duration in milliseconds: two decimals under 10 ms, one under 100 ms, none above.</summary>
    public static string Ms(double ms) => ms switch
    {
        < 10 => $"{ms:0.00} ms",
        < 100 => $"{ms:0.0} ms",
        _ => $"{ms:0} ms",
    };

    public static string Percent(double? share) => share is { } s ? $"{s:P1}" : "—";
}
