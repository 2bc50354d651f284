using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Cli.Commands;

/// <summary>
/// A larger dataset for load tests: N copies of an existing one's samples (same images, labels and tags, new
/// ordinals), registered as a dataset of its own whose source says what it is.
/// </summary>
internal sealed class RepeatDatasetCommand : ICliCommand
{
    public string Name => "repeat-dataset";

    public string Summary => "Make a load-test dataset of N copies of an existing dataset's samples (e.g. 100,000 predictions for page timings).";

    public string Usage => "--dataset NAME --copies N --name NEW_NAME";

    public IReadOnlySet<string> Options { get; } = new HashSet<string> { "dataset", "copies", "name" };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var sourceName = context.Args.Get("dataset") ?? throw new UsageException("--dataset is required.");
        var name = context.Args.Get("name") ?? throw new UsageException("--name is required.");
        var copies = (int)context.Args.GetPositive("copies", 0);
        if (copies is < 2 or > 1000)
        {
            throw new UsageException("--copies is between 2 and 1000.");
        }

        await context.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);
        var source = await db.Datasets.SingleOrDefaultAsync(d => d.Name == sourceName, cancellationToken);
        if (source is null)
        {
            await context.Error.WriteLineAsync($"There is no dataset '{sourceName}'.");
            return 1;
        }

        if (await db.Datasets.AnyAsync(d => d.Name == name, cancellationToken))
        {
            await context.Error.WriteLineAsync($"There is already a dataset '{name}'.");
            return 1;
        }

        var count = await db.Samples.CountAsync(s => s.DatasetId == source.Id, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var copy = new Dataset
        {
            Name = name,
            ModuleId = source.ModuleId,
            TaskType = source.TaskType,
            Split = source.Split,
            Source = $"{copies} copies of dataset '{source.Name}' for load tests (qualityhub repeat-dataset); same images and labels.",
            LicenceId = source.LicenceId,
            CommercialUseAllowed = source.CommercialUseAllowed,
            Attribution = source.Attribution,
            Labels = source.Labels,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Datasets.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        for (var k = 0; k < copies; k++)
        {
            var offset = k * count;
            await db.Database.ExecuteSqlAsync(
                $"""INSERT INTO "Samples" ("DatasetId", "Ordinal", "ImageSha256", "Width", "Height", "GroundTruth", "Tags") SELECT {copy.Id}, "Ordinal" + {offset}, "ImageSha256", "Width", "Height", "GroundTruth", "Tags" FROM "Samples" WHERE "DatasetId" = {source.Id}""",
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"dataset {copy.Id} '{name}': {count * copies:N0} samples ({copies} × {count:N0})"));
        return 0;
    }
}
