using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Data;

namespace QualityHub.Cli.Commands;

internal sealed class MigrateCommand : ICliCommand
{
    public string Name => "migrate";

    public string Summary => "Create the database or bring it up to date (the web app also does this at start-up).";

    public string Usage => "";

    public IReadOnlySet<string> Options { get; } = new HashSet<string>();

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        await context.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        await context.Out.WriteLineAsync($"database ready: {context.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DescribeDatabase()}");
        return 0;
    }
}
