using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Drift;

namespace QualityHub.Data.Drift;

/// <summary>
/// Checks a dataset's samples against its module's data rules (labels, image size and description ranges, missing
/// descriptions) and stores the result on the dataset: run after every import and again on request, e.g. after the
/// rules changed. Images are described by the same code as reference profiles and services (<see cref="RunProfiles.Describe"/>),
/// and only when a rule needs more than the size the import recorded.
/// </summary>
public sealed class DatasetValidator(IDbContextFactory<QualityHubDbContext> contextFactory, RunProfiles profiles, TimeProvider clock)
{
    /// <summary>Examples kept per rule: sample ordinals, in order.</summary>
    public const int MaxExamples = 10;

    /// <summary>The dataset's check against its module's current rules, stored; null when the dataset has no module or the module no rules.</summary>
    public async Task<DatasetValidation?> ValidateAsync(int datasetId, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Id == datasetId, cancellationToken)
            ?? throw new KeyNotFoundException($"There is no dataset {datasetId}.");
        var rulesJson = dataset.ModuleId is { } moduleId
            ? await db.Modules.Where(m => m.Id == moduleId).Select(m => m.DataRulesJson).SingleAsync(cancellationToken)
            : null;
        var rules = DataRules.Parse(rulesJson) is { IsEmpty: false } r ? r.Compile() : null;
        var applying = rules?.Rules.Where(DataRules.AppliesToDatasets).ToList() ?? [];
        if (rules is null || applying.Count == 0)
        {
            if (dataset.ValidationJson is not null)
            {
                dataset.ValidationJson = null;
                await db.SaveChangesAsync(cancellationToken);
            }

            return null;
        }

        var describe = applying.Any(rule => rule.Descriptor is "brightness" or "contrast" or "blur");
        var samples = await db.Samples.AsNoTracking().Where(s => s.DatasetId == datasetId).OrderBy(s => s.Ordinal)
            .Select(s => new { s.Ordinal, s.ImageSha256, s.Width, s.Height, s.GroundTruth }).ToListAsync(cancellationToken);
        var counts = applying.ToDictionary(rule => rule.Key, _ => (Violations: 0L, Examples: new List<string>()), StringComparer.Ordinal);
        var described = 0;
        var classifier = dataset.TaskType == TaskType.ImageClassification;
        for (var i = 0; i < samples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sample = samples[i];
            EventDescriptors? image = new(InputWidth: sample.Width, InputHeight: sample.Height);
            if (describe)
            {
                image = profiles.Describe(sample.ImageSha256) is { } d
                    ? image with { Brightness = d.Brightness, Contrast = d.Contrast, Blur = d.Blur }
                    : null;
            }

            described += image is null ? 0 : 1;
            foreach (var key in rules.ViolatedBy(sample.GroundTruth, classifier, image))
            {
                var (violations, examples) = counts[key];
                if (examples.Count < MaxExamples)
                {
                    examples.Add(sample.Ordinal.ToString(CultureInfo.InvariantCulture));
                }

                counts[key] = (violations + 1, examples);
            }

            if ((i + 1) % 500 == 0 || i + 1 == samples.Count)
            {
                progress?.Invoke(i + 1, samples.Count);
            }
        }

        var validation = new DatasetValidation(clock.GetUtcNow(), samples.Count, described,
            applying.Select(rule => RuleCount.Of(rule.Key, rule, samples.Count, counts[rule.Key].Violations, counts[rule.Key].Examples)).ToList());
        dataset.ValidationJson = JsonSerializer.Serialize(validation, DataRules.Json);
        await db.SaveChangesAsync(CancellationToken.None);
        return validation;
    }

    /// <summary>The dataset's last stored check; null when it was never checked (no module, no rules).</summary>
    public async Task<DatasetValidation?> GetAsync(int datasetId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.Datasets.Where(d => d.Id == datasetId).Select(d => new { d.ValidationJson }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new KeyNotFoundException($"There is no dataset {datasetId}.");
        return Read(stored.ValidationJson);
    }

    /// <summary>A stored check read back; null for none (or for text that is not one).</summary>
    public static DatasetValidation? Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DatasetValidation>(json, DataRules.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
