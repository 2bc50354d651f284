using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data.Content;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Onnx;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Registry;

/// <summary>What a person says about a model being registered.</summary>
public sealed record ModelImportRequest(
    string ModuleName,
    string VersionName,
    string FileName,
    ModelStatus Status = ModelStatus.Candidate,
    string Notes = "",
    int? TrainedOnDatasetId = null,
    string? ModelCardJson = null);

/// <summary>A registered model version and what its file says about itself.</summary>
public sealed record ModelImportResult(ModelVersion Version, OnnxModelInfo Info, ModelCard? Card, string? CardProblem);

/// <summary>Registration was refused; nothing was registered. The message says why, specifically.</summary>
public sealed class RegistrationException(string message, Exception? inner = null, string? field = null) : Exception(message, inner)
{
    /// <summary>The request field at fault (module, version, file, card, …), when one is.</summary>
    public string? Field { get; } = field;
}

/// <summary>
/// Registers ONNX models: streams the file into a staging folder (never whole in memory), inspects it (inputs,
/// outputs, opset, producer, parameters), has ONNX Runtime load it (<see cref="OnnxModelCheck"/>), confirms or
/// proposes its model card, and only then moves it into the content store and records the version — all or
/// nothing: a refused file leaves the registry and the store as they were.
/// </summary>
public sealed partial class ModelRegistry(
    IDbContextFactory<QualityHubDbContext> contextFactory,
    ContentStore store,
    IOptions<RegistryOptions> options,
    ILogger<ModelRegistry> logger)
{
    public async Task<ModelImportResult> ImportAsync(ModelImportRequest request, Stream content, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!ModelStatusRules.SetByHand(request.Status))
        {
            throw new RegistrationException(ModelStatusRules.ReleaseOnly, field: "status");
        }

        var versionName = request.VersionName.Trim();
        if (versionName.Length is 0 or > 200)
        {
            throw new RegistrationException("A version name of 1 to 200 characters is required.", field: "version");
        }

        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var module = await db.Modules.SingleOrDefaultAsync(m => m.Name == request.ModuleName, cancellationToken)
                ?? throw new RegistrationException($"There is no module '{request.ModuleName}'.", field: "module");
            if (module.TaskType == TaskType.Pipeline)
            {
                throw new RegistrationException($"'{module.Name}' is a pipeline: its versions are registered by their stages (POST /api/pipelines), not as an ONNX file.", field: "module");
            }

            if (await db.ModelVersions.AnyAsync(v => v.ModuleId == module.Id && v.Name == versionName, cancellationToken))
            {
                throw new RegistrationException($"Module '{module.Name}' already has a version '{versionName}'.", field: "version");
            }

            if (request.TrainedOnDatasetId is { } datasetId && !await db.Datasets.AnyAsync(d => d.Id == datasetId, cancellationToken))
            {
                throw new RegistrationException($"There is no dataset {datasetId} to name as training data.", field: "trainedOnDatasetId");
            }
        }

        request = request with { VersionName = versionName };
        using var staged = await StageAsync(content, progress, cancellationToken);
        var fileName = Path.GetFileName(request.FileName) is { Length: > 0 } named ? named : "model.onnx";
        var info = await InspectAsync(fileName, staged.Path, cancellationToken);
        var (card, cardProblem) = CardFor(request, info);

        var blob = store.Keep(staged);
        try
        {
            return await RecordAsync(request, blob, info, card, cardProblem, cancellationToken);
        }
        catch
        {
            await ForgetBlobIfUnusedAsync(blob.Sha256);
            throw;
        }
    }

    // The upload goes to a folder of its own, hashed on the way; nothing reaches the store before it is checked.
    private async Task<StagedBlob> StageAsync(Stream content, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await store.StageBlobAsync(content, "model.onnx", options.Value.MaxUploadMb * 1024 * 1024, progress, cancellationToken);
        }
        catch (ContentTooLargeException e)
        {
            throw new RegistrationException(e.Message, e, "file");
        }
    }

    /// <summary>
    /// What the file says about itself, once ONNX Runtime has loaded it on the CPU with every tensor inside the file:
    /// a model with external data, an unknown operator or a broken graph is refused now, not when it is first run.
    /// </summary>
    private async Task<OnnxModelInfo> InspectAsync(string fileName, string path, CancellationToken cancellationToken)
    {
        string? problem;
        OnnxModelInfo info;
        try
        {
            info = OnnxModelReader.ReadFile(path);
            problem = await OnnxModelCheck.FindProblemAsync(path, fileName, ValidationTimeout, cancellationToken);
        }
        catch (OnnxFormatException e)
        {
            throw new RegistrationException($"{fileName} cannot be registered: {e.Message}", e, "file");
        }
        catch (OnnxRuntimeException e)
        {
            throw new RegistrationException($"{fileName} was not registered: ONNX Runtime, which checks every model first, is not available ({e.OrtMessage}).", e, "file");
        }

        return problem is null ? info : throw new RegistrationException($"{fileName} cannot be registered: {problem}.", field: "file");
    }

    // At least a second: a zero or negative setting would refuse every model.
    private TimeSpan ValidationTimeout => TimeSpan.FromSeconds(Math.Max(1, options.Value.ValidationTimeoutSeconds));

    private static (ModelCard? Card, string? Problem) CardFor(ModelImportRequest request, OnnxModelInfo info)
    {
        try
        {
            return (request.ModelCardJson is { } json ? ModelCard.Parse(json) : ModelCardProposal.Propose($"{request.ModuleName}/{request.VersionName}", info), null);
        }
        catch (InvalidModelCardException e) when (request.ModelCardJson is null)
        {
            return (null, $"No card could be proposed: {e.Message}");
        }
        catch (InvalidModelCardException e)
        {
            throw new RegistrationException($"The model card for {request.FileName} is not usable: {e.Message}", e, "card");
        }
    }

    private async Task<ModelImportResult> RecordAsync(
        ModelImportRequest request, StoredBlob blob, OnnxModelInfo info, ModelCard? card, string? cardProblem, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.SingleAsync(m => m.Name == request.ModuleName, cancellationToken);
        var version = new ModelVersion
        {
            ModuleId = module.Id,
            Name = request.VersionName,
            Status = request.Status,
            Sha256 = blob.Sha256,
            FileName = Path.GetFileName(request.FileName),
            SizeBytes = blob.SizeBytes,
            Producer = string.IsNullOrEmpty(info.ProducerName) ? null : $"{info.ProducerName} {info.ProducerVersion}".Trim(),
            Opset = info.Opsets.GetValueOrDefault(""),
            // Some exporters keep weights in Constant nodes rather than initializers; then the count is unknown, not 0.
            ParameterCount = info.InitializerCount > 0 ? info.ParameterCount : null,
            ModelCardJson = card?.ToJson(),
            Notes = request.Notes,
            TrainedOnDatasetId = request.TrainedOnDatasetId,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ModelVersions.Add(version);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
        {
            throw new RegistrationException($"Module '{module.Name}' already has a version '{request.VersionName}'.", e, "version");
        }

        LogRegistered(module.Name, version.Name, blob.Sha256[..12], blob.SizeBytes / 1048576.0);
        version.Module = module;
        return new ModelImportResult(version, info, card, cardProblem);
    }

    /// <summary>Adds a technical module (input A → output B) that model versions can then be registered to.</summary>
    public async Task<Module> AddModuleAsync(string name, TaskType taskType, string inputDescription, string outputDescription, string description = "", CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 200)
        {
            throw new RegistrationException("A module name of 1 to 200 characters is required.", field: "name");
        }

        if (inputDescription.Trim().Length is 0 or > 500 || outputDescription.Trim().Length is 0 or > 500)
        {
            throw new RegistrationException("A module needs its input and output described (1 to 500 characters each), e.g. 'text-line image' → 'string'.");
        }

        if (!Enum.IsDefined(taskType))
        {
            throw new RegistrationException($"Task type {taskType} is not one QualityHub knows.", field: "taskType");
        }

        if (taskType == TaskType.Pipeline)
        {
            throw new RegistrationException("A pipeline is made with its first version's stages (POST /api/pipelines), not as an empty module.", field: "taskType");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Modules.AnyAsync(m => m.Name == name, cancellationToken))
        {
            throw new RegistrationException($"A module named '{name}' exists already.", field: "name");
        }

        var now = DateTimeOffset.UtcNow;
        var module = new Module
        {
            Name = name,
            TaskType = taskType,
            InputDescription = inputDescription.Trim(),
            OutputDescription = outputDescription.Trim(),
            Description = description,
            CreatedAt = now,
            ErrorTags = ErrorTaxonomy.Defaults(now),
        };
        db.Modules.Add(module);
        await db.SaveChangesAsync(cancellationToken);
        return module;
    }

    /// <summary>Replaces a version's model card after a person checked it.</summary>
    public async Task<ModelCard> UpdateCardAsync(int versionId, string json, CancellationToken cancellationToken = default)
    {
        ModelCard card;
        try
        {
            card = ModelCard.Parse(json);
        }
        catch (InvalidModelCardException e)
        {
            throw new RegistrationException($"The model card is not usable: {e.Message}", e, "card");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var version = await db.ModelVersions.FindAsync([versionId], cancellationToken) ?? throw new RegistrationException($"There is no model version {versionId}.");
        version.ModelCardJson = card.ToJson();
        await db.SaveChangesAsync(cancellationToken);
        return card;
    }

    /// <summary>Moves a version between candidate and retired; released and superseded come from approving a release.</summary>
    public async Task SetStatusAsync(int versionId, ModelStatus status, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(status))
        {
            throw new RegistrationException($"Status {status} is not candidate or retired.", field: "status");
        }

        if (!ModelStatusRules.SetByHand(status))
        {
            throw new RegistrationException(ModelStatusRules.ReleaseOnly, field: "status");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var version = await db.ModelVersions.FindAsync([versionId], cancellationToken) ?? throw new RegistrationException($"There is no model version {versionId}.");
        if (version.Status == ModelStatus.Released && status != ModelStatus.Released)
        {
            throw new RegistrationException($"{version.Name} is in production: the release that replaces it supersedes it.", field: "status");
        }

        version.Status = status;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Removes a version that nothing depends on: a version in a release or with evaluation runs is history and can
    /// only be retired. The blob goes when no other version shares it. Returns the deleted version's engine key.
    /// </summary>
    public async Task<string> DeleteAsync(int versionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var version = await db.ModelVersions.FindAsync([versionId], cancellationToken) ?? throw new RegistrationException($"There is no model version {versionId}.");
        if (await db.ReleaseEntries.AnyAsync(e => e.ModelVersionId == versionId, cancellationToken))
        {
            throw new RegistrationException($"Model version {version.Name} is part of a release; retire it instead of deleting it.");
        }

        if (await db.EvaluationRuns.AnyAsync(r => r.ModelVersionId == versionId, cancellationToken))
        {
            throw new RegistrationException($"Model version {version.Name} has evaluation runs; retire it instead of deleting it.");
        }

        var pinnedBy = await db.PipelineStages.Where(s => s.ModelVersionId == versionId)
            .Join(db.ModelVersions, s => s.PipelineVersionId, v => v.Id, (s, v) => v.Module!.Name + "/" + v.Name)
            .Distinct().OrderBy(n => n).ToListAsync(cancellationToken);
        if (pinnedBy.Count > 0)
        {
            throw new RegistrationException(
                $"Model version {version.Name} is a stage of pipeline version{(pinnedBy.Count == 1 ? "" : "s")} {string.Join(", ", pinnedBy)}; retire it instead of deleting it (the pipeline versions then say they cannot run).");
        }

        // A pipeline version's fingerprint names its stages, not a stored file: there is no blob to forget.
        var isPipeline = await db.Modules.AnyAsync(m => m.Id == version.ModuleId && m.TaskType == TaskType.Pipeline, cancellationToken);
        db.ModelVersions.Remove(version);
        await db.SaveChangesAsync(cancellationToken);
        if (!isPipeline)
        {
            await ForgetBlobIfUnusedAsync(version.Sha256);
        }
        return version.Sha256;
    }

    /// <summary>What the engine needs to load a registered version.</summary>
    public ModelSpec SpecFor(ModelVersion version, string moduleName) =>
        new(version.Sha256, store.PathOf(version.Sha256), $"{moduleName}/{version.Name}");

    private async Task ForgetBlobIfUnusedAsync(string sha256)
    {
        await using var db = await contextFactory.CreateDbContextAsync();
        if (!await db.ModelVersions.AnyAsync(v => v.Sha256 == sha256))
        {
            File.Delete(store.PathOf(sha256));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered model {Module}/{Version} (blob {Sha}…, {SizeMb:F1} MiB)")]
    private partial void LogRegistered(string module, string version, string sha, double sizeMb);
}
