using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Inference;

namespace QualityHub.Cli;

/// <summary>
/// The QualityHub engine from a terminal. Exit codes: 0 done, 1 the work failed, 2 the command line was wrong.
/// Settings come from the same keys as the web app (e.g. --Storage:DataDirectory=/srv/qh or Storage__DataDirectory).
/// </summary>
public static class CliApp
{
    private sealed record Command(string Name, string Summary, Func<IServiceProvider, TextWriter, CancellationToken, Task<int>> RunAsync);

    private static readonly Command[] Commands =
    [
        new("info", "Show where data lives, the database state and the ONNX Runtime in use.", InfoAsync),
        new("migrate", "Create the database or bring it up to date (the web app also does this at start-up).", MigrateAsync),
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

        var settings = args.Skip(1).ToArray();
        var malformed = settings.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) || !a.Contains('='));
        if (malformed is not null)
        {
            await error.WriteLineAsync($"Unexpected argument '{malformed}'. '{command.Name}' takes only settings written --Key=Value.");
            return 2;
        }

        await using var services = BuildServices(settings);
        try
        {
            return await command.RunAsync(services, output, cancellationToken);
        }
        catch (StartupException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    private static ServiceProvider BuildServices(string[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(settings)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddQualityHubData(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task WriteUsageAsync(TextWriter writer)
    {
        await writer.WriteLineAsync("usage: qualityhub <command> [--Key=Value ...]");
        await writer.WriteLineAsync();
        foreach (var command in Commands)
        {
            await writer.WriteLineAsync($"  {command.Name,-10} {command.Summary}");
        }
    }

    private static async Task<int> InfoAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var databasePath = storage.ResolveDatabasePath();
        await output.WriteLineAsync($"data folder:  {storage.ResolveDataDirectory()}");
        await output.WriteLineAsync($"database:     {databasePath}");
        if (File.Exists(databasePath))
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            var pending = db.Database.GetMigrations().Except(applied).Count();
            await output.WriteLineAsync($"schema:       {applied.LastOrDefault() ?? "empty"}{(pending > 0 ? $" ({pending} migration(s) pending)" : "")}");
        }
        else
        {
            await output.WriteLineAsync("schema:       no database yet (created on first start or by 'qualityhub migrate')");
        }

        var onnx = OnnxRuntimeInfo.Current;
        await output.WriteLineAsync(onnx.Available
            ? $"onnxruntime:  {onnx.Version} ({onnx.LibraryPath})"
            : $"onnxruntime:  unavailable: {onnx.Error}");
        return 0;
    }

    private static async Task<int> MigrateAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        await output.WriteLineAsync($"database ready: {services.GetRequiredService<IOptions<StorageOptions>>().Value.ResolveDatabasePath()}");
        return 0;
    }
}
