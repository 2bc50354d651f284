using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Evaluations;

namespace QualityHub.Data.Tests.Evaluations;

public sealed class EvaluationServiceTests : IAsyncLifetime
{
    private RegistryFixture fixture = null!;

    public async Task InitializeAsync() => fixture = await RegistryFixture.CreateAsync();

    public async Task DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task A_text_detector_is_not_evaluated_alone_and_nothing_is_queued()
    {
        int versionId, datasetId;
        await using (var db = await fixture.Storage.CreateContextAsync())
        {
            var module = await db.Modules.SingleAsync(m => m.Name == "card-text");
            var dataset = new Dataset { Name = "lines", Module = module, TaskType = TaskType.TextRecognition, Split = DatasetSplit.Test, Source = "test", LicenceId = "CC0-1.0", CreatedAt = DateTimeOffset.UtcNow };
            dataset.Samples.Add(new Sample { Ordinal = 0, ImageSha256 = new string('a', 64), Width = 1, Height = 1, GroundTruth = "4539" });
            var version = new ModelVersion
            {
                Module = module,
                Name = "det",
                Sha256 = new string('b', 64),
                FileName = "det.onnx",
                CreatedAt = DateTimeOffset.UtcNow,
                ModelCardJson = await File.ReadAllTextAsync(RepositoryFiles.Path("data", "demo", "models", "pp-ocrv4-det.card.json")),
            };
            db.AddRange(dataset, version);
            await db.SaveChangesAsync();
            (versionId, datasetId) = (version.Id, dataset.Id);
        }

        var refused = await Assert.ThrowsAsync<EvaluationException>(() => new EvaluationService(fixture.Storage.Get<IDbContextFactory<QualityHubDbContext>>()).CreateAsync(versionId, datasetId));

        Assert.Equal(422, refused.Status);
        Assert.Equal("modelVersionId", refused.Field);
        Assert.Contains("card-text/det is a text detector", refused.Message);
        await using var check = await fixture.Storage.CreateContextAsync();
        Assert.Empty(await check.EvaluationRuns.ToListAsync());
    }
}
