using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QualityHub.Cli.Commands;
using QualityHub.Data;
using QualityHub.Inference;
using QualityHub.Worker;

namespace QualityHub.Cli;

/// <summary>
/// The QualityHub engine from a terminal. Exit codes: 0 done, 1 the work failed, 2 the command line was wrong.
/// Settings come from the same keys as the web app (e.g. --Storage:DataDirectory=/srv/qh or Storage__DataDirectory).
/// </summary>
public static class CliApp
{
    private static readonly ICliCommand[] Commands =
    [
        new InfoCommand(),
        new MigrateCommand(),
        new CopyDatabaseCommand(),
        new AddModuleCommand(),
        new ImportModelCommand(),
        new ImportDatasetCommand(),
        new ImportFashionMnistCommand(),
        new ConformanceCommand(),
        new BenchCommand(),
        new EvaluateCommand(),
        new BenchEvaluationCommand(),
        new BenchDecodeCommand(),
        new RepeatDatasetCommand(),
        new SweepStoreCommand(),
        new WorkerCommand(),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await WriteUsageAsync(args.Length == 0 ? error : output);
            return args.Length == 0 ? 2 : 0;
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            await error.WriteLineAsync($"Unknown command '{args[0]}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}.");
            return 2;
        }

        var line = CommandLine.Parse(args[1..], command.Options, command.Flags, out var usageError);
        if (usageError is not null)
        {
            await error.WriteLineAsync($"{usageError} usage: qualityhub {command.Name} {command.Usage}");
            return 2;
        }

        await using var services = BuildServices(line.Settings);
        try
        {
            return await command.RunAsync(new CliContext(line, services, output, error), cancellationToken);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"{e.Message} usage: qualityhub {command.Name} {command.Usage}");
            return 2;
        }
        catch (StartupException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    private static ServiceProvider BuildServices(IReadOnlyList<string> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(settings.ToArray())
            .Build();
        var services = new ServiceCollection();
        // Warnings and errors by default; --Logging:LogLevel:Default=Information (or per category) shows more.
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddSimpleConsole(o => o.SingleLine = true));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddQualityHubData(configuration);
        services.AddQualityHubInference(configuration);
        services.AddInferenceWorkers(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task WriteUsageAsync(TextWriter writer)
    {
        await writer.WriteLineAsync("usage: qualityhub <command> [options] [--Section:Key=Value ...]");
        await writer.WriteLineAsync();
        foreach (var command in Commands)
        {
            await writer.WriteLineAsync($"  {command.Name,-20} {command.Summary}");
            await writer.WriteLineAsync($"  {"",-20} qualityhub {command.Name} {command.Usage}");
        }
    }
}

/// <summary>One CLI command.</summary>
internal interface ICliCommand
{
    string Name { get; }

    string Summary { get; }

    string Usage { get; }

    IReadOnlySet<string> Options { get; }

    /// <summary>Options that take no value (<c>--dry-run</c>).</summary>
    IReadOnlySet<string> Flags => NoFlags;

    private static readonly IReadOnlySet<string> NoFlags = new HashSet<string>();

    Task<int> RunAsync(CliContext context, CancellationToken cancellationToken);
}

/// <summary>What a command runs with: its arguments, the services, and where to write.</summary>
internal sealed record CliContext(CommandLine Args, IServiceProvider Services, TextWriter Out, TextWriter Error);
