using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Data.Copying;

namespace QualityHub.Cli.Commands;

/// <summary>Moves a team from the embedded SQLite file to PostgreSQL: the work is DatabaseCopier's, this reads --to and prints.</summary>
internal sealed class CopyDatabaseCommand : ICliCommand
{
    public string Name => "copy-database";

    public string Summary => "Copy every record of the configured database (normally SQLite) into a new, empty PostgreSQL database.";

    public string Usage => "--to \"Host=…;Port=5432;Database=…;Username=…;Password=…\" (or --to postgres://user:password@host:5432/database)";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "to" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        string target;
        try
        {
            target = PostgresConnection.FromKeywordsOrUri(context.Args.Get("to") ?? throw new UsageException("--to is required."));
        }
        catch (FormatException e)
        {
            throw new UsageException($"--to: {e.Message}");
        }

        var output = context.Out;
        var storage = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await output.WriteLineAsync($"copying {storage.DescribeDatabase()} into {PostgresConnection.Describe(target)}");
        var first = true;
        async Task PrintAsync(CopiedTable table)
        {
            if (first)
            {
                first = false;
                await output.WriteLineAsync($"{"table",-24} {"rows",12} {"seconds",9}");
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{table.Table,-24} {table.Rows,12:N0} {table.Elapsed.TotalSeconds,9:0.00}"));
        }

        try
        {
            var summary = await context.Services.GetRequiredService<DatabaseCopier>().CopyToPostgresAsync(target, PrintAsync, cancellationToken);
            var copying = summary.Tables.Sum(t => t.Elapsed.TotalSeconds);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"copied {summary.Rows:N0} rows in {summary.Tables.Count} tables in {copying:0.00} s ({summary.Rows / Math.Max(copying, 1e-3):N0} rows/s) into {summary.Target}; " +
                $"{summary.Elapsed.TotalSeconds:0.00} s in all, with checking the source and creating the target."));
            await output.WriteLineAsync(
                "Run the portal with Storage:Provider=postgres and ConnectionStrings:QualityHub set to it. Model files and images are not in the database: " +
                $"they stay in {storage.ResolveStoreDirectory()}; give every instance that folder (or a copy of it) as Storage:StoreDirectory.");
            return 0;
        }
        catch (DatabaseCopyException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }
}
