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

    /// <summary>A transfer rate: <c>Bytes</c> per second.</summary>
    public static string TransferRate(double bytesPerSecond) => $"{Bytes((long)Math.Max(0, bytesPerSecond))}/s";

    /// <summary>Time still to wait, rounded up to the second under a minute and to whole minutes and seconds above.</summary>
    public static string Remaining(TimeSpan left) => Math.Ceiling(Math.Max(0, left.TotalSeconds)) switch
    {
        < 60 and var s => $"{s:0} s left",
        var s => $"{Math.Floor(s / 60):0} min {s % 60:0} s left",
    };

    /// <summary>A headline share to two decimals of a percent, e.g. 91.27 %.</summary>
    public static string Share(double share) => $"{share:P2}";

    public static string Percent(double? share) => share is { } s ? $"{s:P1}" : "—";

    /// <summary>A rate's 95 % interval: "95 % CI 88.1 % – 91.3 %".</summary>
    public static string Interval(Core.Metrics.Estimate estimate) => $"95 % CI {Percent(estimate.Low)} – {Percent(estimate.High)}";

    /// <summary>The UTC day of a moment, e.g. "2026-03-14".</summary>
    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A moment in UTC to the minute, e.g. "2026-03-14 09:05".</summary>
    public static string Minute(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A moment in UTC to the second, e.g. "2026-03-14 09:05:07", for logs and histories.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly HashSet<string> Acronyms = new(StringComparer.Ordinal) { "Cpu", "Gpu", "Qps", "Ocr", "Ctc", "Voc", "Api", "Cuda" };

    /// <summary>An enum value as words: <c>CloudCpu</c> → "cloud CPU", <c>LocalGpu</c> → "local GPU", <c>TextRecognition</c> → "text recognition".</summary>
    public static string Enum<T>(T value)
        where T : struct, System.Enum => Words(value.ToString());

    /// <summary>A PascalCase name as lower-case words, acronyms in capitals.</summary>
    public static string Words(string name)
    {
        var words = new List<string>();
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            if (i == name.Length || char.IsUpper(name[i]))
            {
                var word = name[start..i];
                words.Add(Acronyms.Contains(word) ? word.ToUpperInvariant() : word.ToLowerInvariant());
                start = i;
            }
        }

        return string.Join(' ', words);
    }

    /// <summary>A rate's figure, e.g. items or samples a second: one decimal at most, thousands grouped ("1,234.5").</summary>
    public static string Rate(double perSecond) => $"{perSecond:#,0.#}";

    /// <summary>A duration in seconds with one decimal, e.g. "4.2 s".</summary>
    public static string Seconds(double seconds) => $"{seconds:0.0} s";
}
