namespace QualityHub.Cli;

/// <summary>
/// A command's arguments: options written <c>--name value</c> or <c>--name=value</c>, and flags written <c>--name</c>
/// alone. Names containing ':' are configuration settings (e.g. <c>--Storage:DataDirectory=/srv/qh</c>) and go to the
/// configuration instead.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> flags = new(StringComparer.Ordinal);

    private CommandLine(IReadOnlyList<string> settings) => Settings = settings;

    /// <summary>Configuration settings, as the .NET command-line configuration provider reads them.</summary>
    public IReadOnlyList<string> Settings { get; }

    /// <summary>Parses the arguments after the command name; the error names the first argument that is wrong.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> known, out string? error) =>
        Parse(args, known, new HashSet<string>(), out error);

    /// <summary>Parses the arguments after the command name, <paramref name="knownFlags"/> taking no value.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> known, IReadOnlySet<string> knownFlags, out string? error)
    {
        var settings = new List<string>();
        var line = new CommandLine(settings);
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                error = $"Unexpected argument '{arg}'.";
                return line;
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (name.Contains(':'))
            {
                if (value is null && i + 1 < args.Count)
                {
                    value = args[++i];
                }

                settings.Add($"--{name}={value}");
                continue;
            }

            if (knownFlags.Contains(name))
            {
                if (value is not null)
                {
                    error = $"Option '--{name}' takes no value.";
                    return line;
                }

                line.flags.Add(name);
                continue;
            }

            if (!known.Contains(name))
            {
                error = $"Unknown option '--{name}'.";
                return line;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"Option '--{name}' needs a value.";
                    return line;
                }

                value = args[++i];
            }

            line.options[name] = value;
        }

        return line;
    }

    public string? Get(string name) => options.GetValueOrDefault(name);

    /// <summary>Whether the flag <c>--name</c> was given.</summary>
    public bool Has(string name) => flags.Contains(name);

    /// <summary>A positive number option, or the default; throws <see cref="UsageException"/> for anything else.</summary>
    /// <summary>--provider cpu|cuda|auto (cpu when absent: benchmarks and conformance compare like with like unless told).</summary>
    public QualityHub.Inference.ProviderPreference GetProvider(QualityHub.Inference.ProviderPreference fallback = QualityHub.Inference.ProviderPreference.Cpu) =>
        Get("provider") switch
        {
            null => fallback,
            var text when Enum.TryParse<QualityHub.Inference.ProviderPreference>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _) => value,
            var text => throw new UsageException($"--provider must be cpu, cuda or auto, not '{text}'."),
        };

    public double GetPositive(string name, double fallback)
    {
        if (Get(name) is not { } text)
        {
            return fallback;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"--{name} must be a positive number, not '{text}'.");
    }

    /// <summary>A comma-separated list of positive integers, or the default.</summary>
    public int[] GetPositiveIntegers(string name, int[] fallback)
    {
        if (Get(name) is not { } text)
        {
            return fallback;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out values[i]) || values[i] < 1 || values[i] > 65536)
            {
                throw new UsageException($"--{name} takes positive whole numbers separated by commas (e.g. 1,32), not '{text}'.");
            }
        }

        return values;
    }
}

/// <summary>The command line is wrong; the message says how. Exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
