using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Data.Content;

namespace QualityHub.Cli.Commands;

/// <summary>Deletes the content store's blobs no record references, as the web app does on its schedule; safe while imports run.</summary>
internal sealed class SweepStoreCommand : ICliCommand
{
    public string Name => "sweep-store";

    public string Summary => "Delete stored files no record references (left by cancelled or refused imports) once older than Storage:SweepGraceMinutes.";

    public string Usage => "[--dry-run]";

    public IReadOnlySet<string> Options { get; } = new HashSet<string>();

    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "dry-run" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var storage = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await context.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        var report = await context.Services.GetRequiredService<ContentSweeper>().SweepAsync(context.Args.Has("dry-run"), cancellationToken);
        await context.Out.WriteLineAsync($"store: {storage.ResolveStoreDirectory()}");
        await context.Out.WriteLineAsync($"database: {storage.DescribeDatabase()}");
        await context.Out.WriteLineAsync(report.ToString());
        // Another instance sweeping is a sweep done; blobs left beside a database without references want a look.
        return report.BlobsLeftBecause is null ? 0 : 1;
    }
}
