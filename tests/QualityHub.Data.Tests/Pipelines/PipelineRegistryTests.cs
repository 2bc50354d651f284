using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;

namespace QualityHub.Data.Tests.Pipelines;

/// <summary>Registering card-reader pipeline versions over the demo's PP-OCRv4 detector and recogniser, and what the registry refuses.</summary>
public sealed class PipelineRegistryTests : IAsyncLifetime
{
    private readonly PipelineFixture fixture = new();

    private PipelineRegistry Pipelines => fixture.Get<PipelineRegistry>();

    private ModelRegistry Models => fixture.Get<ModelRegistry>();

    public Task InitializeAsync() => fixture.InitializeAsync();

    public Task DisposeAsync() => fixture.DisposeAsync();

    private sealed record Counts(int Modules, int Versions, int Stages, int Runs);

    private async Task<Counts> CountAsync()
    {
        await using var db = await fixture.CreateContextAsync();
        return new Counts(await db.Modules.CountAsync(), await db.ModelVersions.CountAsync(), await db.PipelineStages.CountAsync(), await db.EvaluationRuns.CountAsync());
    }

    private async Task<RegistrationException> RefusedAsync(string version, IReadOnlyList<StageRequest> stages, string pipeline = PipelineFixture.Pipeline)
    {
        var before = await CountAsync();
        var refused = await Assert.ThrowsAsync<RegistrationException>(() => Pipelines.RegisterAsync(new PipelineVersionRequest(pipeline, version, stages)));
        Assert.Equal(before, await CountAsync());
        return refused;
    }

    [Fact]
    public async Task A_card_reader_version_registers_and_lists_with_its_four_stages()
    {
        var registered = await fixture.RegisterCardReaderAsync();

        Assert.Equal((PipelineFixture.Pipeline, "v1", ModelStatus.Candidate, (string?)null), (registered.Pipeline, registered.Name, registered.Status, registered.Unusable));
        Assert.Equal(
            [
                new PipelineStageInfo(1, PipelineStageKind.TextDetection, "text detection", fixture.DetectorId, PipelineFixture.DetectorModule, "pp-ocrv4-det", ModelStatus.Candidate),
                new PipelineStageInfo(2, PipelineStageKind.Rectify, "rectify", null, null, null, null),
                new PipelineStageInfo(3, PipelineStageKind.TextRecognition, "text recognition", fixture.RecogniserId, PipelineFixture.RecogniserModule, "pp-ocrv4-rec", ModelStatus.Candidate),
                new PipelineStageInfo(4, PipelineStageKind.CardFields, "card fields", null, null, null, null),
            ],
            registered.Stages);

        var listed = Assert.Single(await Pipelines.ListAsync());
        Assert.Equal((registered.ModuleId, PipelineFixture.Pipeline, "Reads card photos."), (listed.ModuleId, listed.Name, listed.Description));
        var version = Assert.Single(listed.Versions);
        Assert.Equal(registered.Id, version.Id);
        Assert.Equal(registered.Stages, version.Stages);
        Assert.Equal(registered.Stages, (await Pipelines.VersionAsync(registered.Id))!.Stages);
        Assert.Null(await Pipelines.VersionAsync(fixture.RecogniserId)); // a model version is not a pipeline version

        await using var db = await fixture.CreateContextAsync();
        var module = await db.Modules.SingleAsync(m => m.Id == registered.ModuleId);
        Assert.Equal(TaskType.Pipeline, module.TaskType);
        var pinned = await db.ModelVersions.Where(v => v.Id == fixture.DetectorId || v.Id == fixture.RecogniserId).SumAsync(v => v.SizeBytes);
        Assert.Equal(pinned, (await db.ModelVersions.SingleAsync(v => v.Id == registered.Id)).SizeBytes);
    }

    [Fact]
    public async Task A_second_version_with_the_same_stages_shares_the_first_ones_fingerprint_and_lists_first()
    {
        var v1 = await fixture.RegisterCardReaderAsync("v1");
        var v2 = await fixture.RegisterCardReaderAsync("v2");

        var listed = Assert.Single(await Pipelines.ListAsync());
        Assert.Equal([v2.Id, v1.Id], listed.Versions.Select(v => v.Id));
        Assert.All(listed.Versions, v => Assert.Equal(4, v.Stages.Count));
        await using var db = await fixture.CreateContextAsync();
        var fingerprints = await db.ModelVersions.Where(v => v.Id == v1.Id || v.Id == v2.Id).Select(v => v.Sha256).Distinct().ToListAsync();
        Assert.Matches("^[0-9a-f]{64}$", Assert.Single(fingerprints));
    }

    [Fact]
    public async Task Stages_in_the_wrong_order_are_refused_and_nothing_is_stored()
    {
        var refused = await RefusedAsync("v1",
        [
            new StageRequest(PipelineStageKind.Rectify),
            new StageRequest(PipelineStageKind.TextDetection, fixture.DetectorId),
            new StageRequest(PipelineStageKind.TextRecognition, fixture.RecogniserId),
            new StageRequest(PipelineStageKind.CardFields),
        ]);

        Assert.Equal("Stage 1 (rectify) takes text regions, but the pipeline's input gives a photo.", refused.Message);
        Assert.Equal("stages", refused.Field);
    }

    [Fact]
    public async Task A_chain_that_stops_before_the_card_fields_is_refused()
    {
        var refused = await RefusedAsync("v1", fixture.CardReaderStages().Take(3).ToList());

        Assert.Equal("The pipeline ends with the lines' texts; a pipeline ends with the card's fields (a card-fields stage after text recognition).", refused.Message);
    }

    [Fact]
    public async Task A_stage_pinning_a_version_that_does_not_exist_is_refused()
    {
        var refused = await RefusedAsync("v1", fixture.CardReaderStages(recogniser: 987_654));

        Assert.Equal("Stage 3 pins model version 987654, which does not exist.", refused.Message);
        Assert.Equal("stages", refused.Field);
    }

    [Fact]
    public async Task A_version_of_the_wrong_task_is_refused()
    {
        var swapped = await RefusedAsync("v1", fixture.CardReaderStages(detector: fixture.RecogniserId, recogniser: fixture.DetectorId));

        Assert.Equal(
            "Stage 1 (text detection) pins card-text-recognizer/pp-ocrv4-rec, a version of a text-recognition module; it runs a text-detection module's version.",
            swapped.Message);

        var ownStageGivenAModel = await RefusedAsync("v1",
        [
            new StageRequest(PipelineStageKind.TextDetection, fixture.DetectorId),
            new StageRequest(PipelineStageKind.Rectify, fixture.DetectorId),
            new StageRequest(PipelineStageKind.TextRecognition, fixture.RecogniserId),
            new StageRequest(PipelineStageKind.CardFields),
        ]);
        Assert.Equal("Stage 2 (rectify) is QualityHub's own and pins no model version, but was given card-text-detector/pp-ocrv4-det.", ownStageGivenAModel.Message);
    }

    [Fact]
    public async Task A_retired_version_is_not_pinned()
    {
        var old = await fixture.CopyVersionAsync(fixture.DetectorId, "pp-ocrv4-det-old");
        await Models.SetStatusAsync(old, ModelStatus.Retired);

        var refused = await RefusedAsync("v1", fixture.CardReaderStages(detector: old));

        Assert.Equal("card-text-detector/pp-ocrv4-det-old is retired; a new pipeline version pins versions that may run.", refused.Message);
        Assert.Equal("stages", refused.Field);
    }

    [Fact]
    public async Task A_version_without_a_confirmed_card_is_not_pinned()
    {
        var uncarded = await fixture.CopyVersionAsync(fixture.RecogniserId, "pp-ocrv4-rec-uncarded", withCard: false);

        var refused = await RefusedAsync("v1", fixture.CardReaderStages(recogniser: uncarded));

        Assert.Equal("card-text-recognizer/pp-ocrv4-rec-uncarded has no confirmed model card; confirm one on its Models page first.", refused.Message);
        Assert.Equal("stages", refused.Field);
    }

    [Fact]
    public async Task A_duplicate_version_name_is_refused_and_the_first_version_stays_as_it_was()
    {
        var first = await fixture.RegisterCardReaderAsync("v1");

        var refused = await RefusedAsync(" v1 ", fixture.CardReaderStages());

        Assert.Equal("Pipeline 'card-reader' already has a version 'v1'.", refused.Message);
        Assert.Equal("version", refused.Field);
        var kept = Assert.Single(Assert.Single(await Pipelines.ListAsync()).Versions);
        Assert.Equal((first.Id, first.Name), (kept.Id, kept.Name));
        Assert.Equal(first.Stages, kept.Stages);
    }

    [Fact]
    public async Task A_pipeline_cannot_take_the_name_of_a_module_that_is_not_one()
    {
        var refused = await RefusedAsync("v1", fixture.CardReaderStages(), pipeline: PipelineFixture.RecogniserModule);

        Assert.Equal("'card-text-recognizer' is a TextRecognition module, not a pipeline; name the pipeline differently.", refused.Message);
        Assert.Equal("pipeline", refused.Field);
        Assert.Empty(await Pipelines.ListAsync());
    }

    [Fact]
    public async Task An_ONNX_file_is_not_imported_into_a_pipeline_and_a_pipeline_module_is_not_made_empty()
    {
        await fixture.RegisterCardReaderAsync();
        var before = await CountAsync();
        var blobs = Directory.GetFiles(Path.Combine(fixture.DataDirectory, "store"), "*", SearchOption.AllDirectories).Order().ToList();

        await using (var file = File.OpenRead(RepositoryFiles.Path("tests", "QualityHub.Inference.Tests", "Models", "tiny-classifier.onnx")))
        {
            var imported = await Assert.ThrowsAsync<RegistrationException>(() =>
                Models.ImportAsync(new ModelImportRequest(PipelineFixture.Pipeline, "v2", "tiny-classifier.onnx"), file));
            Assert.Equal("'card-reader' is a pipeline: its versions are registered by their stages (POST /api/pipelines), not as an ONNX file.", imported.Message);
            Assert.Equal("module", imported.Field);
        }

        var added = await Assert.ThrowsAsync<RegistrationException>(() => Models.AddModuleAsync("another-reader", TaskType.Pipeline, "a photo", "the fields"));
        Assert.Equal("A pipeline is made with its first version's stages (POST /api/pipelines), not as an empty module.", added.Message);
        Assert.Equal("taskType", added.Field);

        Assert.Equal(before, await CountAsync());
        Assert.Equal(blobs, Directory.GetFiles(Path.Combine(fixture.DataDirectory, "store"), "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public async Task A_pinned_version_is_not_deleted_and_the_refusal_names_each_pipeline_version_pinning_it()
    {
        await fixture.RegisterCardReaderAsync("v1");
        var one = await Assert.ThrowsAsync<RegistrationException>(() => Models.DeleteAsync(fixture.RecogniserId));
        Assert.Equal(
            "Model version pp-ocrv4-rec is a stage of pipeline version card-reader/v1; retire it instead of deleting it (the pipeline versions then say they cannot run).",
            one.Message);

        await fixture.RegisterCardReaderAsync("v2");
        var two = await Assert.ThrowsAsync<RegistrationException>(() => Models.DeleteAsync(fixture.RecogniserId));
        Assert.Equal(
            "Model version pp-ocrv4-rec is a stage of pipeline versions card-reader/v1, card-reader/v2; retire it instead of deleting it (the pipeline versions then say they cannot run).",
            two.Message);

        await using var db = await fixture.CreateContextAsync();
        var kept = await db.ModelVersions.SingleAsync(v => v.Id == fixture.RecogniserId);
        Assert.True(fixture.Get<ContentStore>().Contains(kept.Sha256));
    }

    [Fact]
    public async Task A_pipeline_version_without_runs_is_deleted_with_its_stages_and_its_models_stay_stored()
    {
        var version = await fixture.RegisterCardReaderAsync("v1");

        await Models.DeleteAsync(version.Id);

        await using var db = await fixture.CreateContextAsync();
        Assert.False(await db.ModelVersions.AnyAsync(v => v.Id == version.Id));
        Assert.False(await db.PipelineStages.AnyAsync());
        foreach (var id in new[] { fixture.DetectorId, fixture.RecogniserId })
        {
            var model = await db.ModelVersions.SingleAsync(v => v.Id == id);
            Assert.True(fixture.Get<ContentStore>().Contains(model.Sha256));
        }

        // Its models are free again: the recogniser can now be deleted.
        await Models.DeleteAsync(fixture.RecogniserId);
    }

    [Fact]
    public async Task Retiring_the_recogniser_makes_the_pipeline_version_unusable_and_its_evaluation_is_refused_with_the_reason()
    {
        var version = await fixture.RegisterCardReaderAsync();
        int datasetId;
        await using (var db = await fixture.CreateContextAsync())
        {
            var module = await db.Modules.SingleAsync(m => m.Id == version.ModuleId);
            var dataset = new Dataset { Name = "photos", Module = module, TaskType = TaskType.Pipeline, Split = DatasetSplit.Test, Source = "test", LicenceId = "CC0-1.0", CreatedAt = DateTimeOffset.UtcNow };
            dataset.Samples.Add(new Sample { Ordinal = 0, ImageSha256 = new string('a', 64), Width = 1, Height = 1, GroundTruth = """{"number":"","expiry":"","lines":[]}""" });
            db.Datasets.Add(dataset);
            await db.SaveChangesAsync();
            datasetId = dataset.Id;
        }

        await Models.SetStatusAsync(fixture.RecogniserId, ModelStatus.Retired);

        const string Reason = "stage 3 (text recognition) pins card-text-recognizer/pp-ocrv4-rec, which is retired.";
        var info = await Pipelines.VersionAsync(version.Id);
        Assert.Equal(Reason, info!.Unusable);
        Assert.Equal(ModelStatus.Retired, info.Stages[2].Status);
        Assert.Equal(Reason, Assert.Single(Assert.Single(await Pipelines.ListAsync()).Versions).Unusable);

        var before = await CountAsync();
        var refused = await Assert.ThrowsAsync<EvaluationException>(() => fixture.Get<EvaluationService>().CreateAsync(version.Id, datasetId));
        Assert.Equal(422, refused.Status);
        Assert.Equal("pipelineVersionId", refused.Field);
        Assert.Equal($"card-reader/v1 cannot run: {Reason}", refused.Message);
        Assert.Equal(before, await CountAsync());

        var resolve = await Assert.ThrowsAsync<EvaluationException>(() => Pipelines.ResolveAsync(version.Id, Models.SpecFor));
        Assert.Equal((422, $"card-reader/v1 cannot run: {Reason}"), (resolve.Status, resolve.Message));

        // Back to candidate, the same version runs again.
        await Models.SetStatusAsync(fixture.RecogniserId, ModelStatus.Candidate);
        Assert.Null((await Pipelines.VersionAsync(version.Id))!.Unusable);
        var run = await fixture.Get<EvaluationService>().CreateAsync(version.Id, datasetId);
        Assert.Equal(RunStatus.Queued, run.Status);
    }
}
