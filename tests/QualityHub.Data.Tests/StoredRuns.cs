using QualityHub.Core.Domain;

namespace QualityHub.Data.Tests;

/// <summary>The smallest stored evaluation run: a module, a dataset of three samples, a model version and the run, running.</summary>
internal static class StoredRuns
{
    public static async Task<(int RunId, List<long> SampleIds)> SeedAsync(Storage storage)
    {
        await using var db = await storage.CreateContextAsync();
        var module = new Module { Name = "fashion", TaskType = TaskType.ImageClassification, InputDescription = "image", OutputDescription = "class", CreatedAt = DateTimeOffset.UtcNow };
        var dataset = new Dataset { Name = "test", Module = module, TaskType = TaskType.ImageClassification, Split = DatasetSplit.Test, Source = "test", LicenceId = "CC0-1.0", CreatedAt = DateTimeOffset.UtcNow };
        dataset.Samples.AddRange(Enumerable.Range(0, 3).Select(i => new Sample { Ordinal = i, ImageSha256 = new string('a', 64), Width = 1, Height = 1, GroundTruth = "x" }));
        var version = new ModelVersion { Module = module, Name = "v1", Sha256 = new string('b', 64), FileName = "v1.onnx", CreatedAt = DateTimeOffset.UtcNow };
        db.AddRange(module, dataset, version);
        await db.SaveChangesAsync();
        var run = new EvaluationRun { ModelVersionId = version.Id, DatasetId = dataset.Id, Status = RunStatus.Running, TotalSamples = 3, CreatedAt = DateTimeOffset.UtcNow };
        db.Add(run);
        await db.SaveChangesAsync();
        return (run.Id, dataset.Samples.Select(s => s.Id).ToList());
    }
}
