using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Inference;
using QualityHub.Inference.Engine;

namespace QualityHub.Cli.Commands;

internal sealed class InfoCommand : ICliCommand
{
    public string Name => "info";

    public string Summary => "Show where data lives, the database state and the ONNX Runtime in use.";

    public string Usage => "";

    public IReadOnlySet<string> Options { get; } = new HashSet<string>();

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var output = context.Out;
        var storage = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var postgres = storage.ResolveProvider() == DatabaseProvider.Postgres;
        await output.WriteLineAsync($"data folder:  {storage.ResolveDataDirectory()}");
        await output.WriteLineAsync($"database:     {storage.DescribeDatabase()}");
        if (postgres || File.Exists(storage.ResolveDatabasePath()))
        {
            await using var db = await context.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
            try
            {
                var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
                var pending = db.Database.GetMigrations().Except(applied).Count();
                await output.WriteLineAsync($"schema:       {applied.LastOrDefault() ?? "empty"}{(pending > 0 ? $" ({pending} migration(s) pending)" : "")}");
            }
            catch (DbException e)
            {
                // A server that does not answer is information here, not a crash.
                await output.WriteLineAsync($"schema:       cannot be read ({(postgres ? PostgresConnection.Reason(e) : e.Message.TrimEnd('.'))})");
            }
        }
        else
        {
            await output.WriteLineAsync("schema:       no database yet (created on first start or by 'qualityhub migrate')");
        }

        var onnx = OnnxRuntimeInfo.Current;
        await output.WriteLineAsync(onnx.Available
            ? $"onnxruntime:  {onnx.Version} ({onnx.LibraryPath})"
            : $"onnxruntime:  unavailable: {onnx.Error}");
        if (onnx.Available)
        {
            // The provider the configured preference gives here, from loading a one-node model: the one that runs.
            var probe = context.Services.GetRequiredService<InferenceEngine>().Provider;
            await output.WriteLineAsync($"providers:    {string.Join(", ", probe.CompiledProviders)} (compiled in)");
            await output.WriteLineAsync($"runs on:      {probe.Provider?.ToString().ToUpperInvariant() ?? "nothing"} (asked: {probe.Preference.ToString().ToLowerInvariant()})"
                + (probe.Reason is { } reason ? $"; {reason}" : ""));
            if (probe.Gpu is { } gpu)
            {
                await output.WriteLineAsync($"gpu:          {gpu}");
            }
        }

        return 0;
    }
}
