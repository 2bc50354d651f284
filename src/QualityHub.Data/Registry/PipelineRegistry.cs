using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Evaluations;
using QualityHub.Inference.Pipelines;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Registry;

/// <summary>A stage of a pipeline version being registered: its kind and, for a model stage, the module version it pins.</summary>
public sealed record StageRequest(PipelineStageKind Kind, int? ModelVersionId = null);

/// <summary>
/// A pipeline version to register: the pipeline (made with its first version; <paramref name="Description"/> is then
/// the pipeline's), the version's name and its stages in order.
/// </summary>
public sealed record PipelineVersionRequest(string Pipeline, string Version, IReadOnlyList<StageRequest> Stages, string Description = "", string Notes = "");

/// <summary>A stage as registered: the module version it pins (with that version's status) or none.</summary>
public sealed record PipelineStageInfo(int Position, PipelineStageKind Kind, string Title, int? ModelVersionId, string? Module, string? Version, ModelStatus? Status);

/// <summary>A pipeline version and its stages; <see cref="Unusable"/> says why it cannot run (a pinned version retired), or is null.</summary>
public sealed record PipelineVersionInfo(int Id, int ModuleId, string Pipeline, string Name, ModelStatus Status, DateTimeOffset CreatedAt, IReadOnlyList<PipelineStageInfo> Stages, string? Unusable);

/// <summary>A pipeline (a module of task <see cref="TaskType.Pipeline"/>) and its versions, newest first.</summary>
/// <summary>A registered pipeline: its module, its fields' comparison rule (in words for the API; set on the Requirements page), and its versions.</summary>
public sealed record PipelineInfo(
    int ModuleId, string Name, string Description, string ComparisonRule, IReadOnlyList<PipelineVersionInfo> Versions, [property: JsonIgnore] TextComparison Rule);

/// <summary>A runnable card-reader pipeline version: its detector and recogniser, ready for the engine.</summary>
public sealed record ResolvedPipeline(int VersionId, string Name, StageModel Detector, StageModel Recogniser);

/// <summary>
/// Registers pipelines and their versions. A pipeline is a module of task <see cref="TaskType.Pipeline"/> and each of
/// its versions a <see cref="ModelVersion"/> of it, so the release board, requirements, capacity, runs and releases
/// count it as they count a model; its stages (<see cref="PipelineStage"/>) pin one module version each. A version is
/// refused at registration when its stages do not fit together (<see cref="PipelineShape"/>) or a pinned version is
/// missing, retired or has no confirmed card; a pinned version cannot be deleted later, and retiring one makes the
/// pipeline versions that pin it unusable, with the reason on their page and in the API.
/// </summary>
public sealed class PipelineRegistry(IDbContextFactory<QualityHubDbContext> contextFactory)
{
    public async Task<PipelineVersionInfo> RegisterAsync(PipelineVersionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pipeline = request.Pipeline?.Trim() ?? "";
        var versionName = request.Version?.Trim() ?? "";
        if (pipeline.Length is 0 or > 200)
        {
            throw new RegistrationException("A pipeline name of 1 to 200 characters is required.", field: "pipeline");
        }

        if (versionName.Length is 0 or > 200)
        {
            throw new RegistrationException("A version name of 1 to 200 characters is required.", field: "version");
        }

        if (request.Stages is null || request.Stages.Count is 0 or > PipelineShape.MaxStages)
        {
            throw new RegistrationException($"A pipeline version needs its stages, 1 to {PipelineShape.MaxStages}, in order.", field: "stages");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var module = await db.Modules.SingleOrDefaultAsync(m => m.Name == pipeline, cancellationToken);
        if (module is not null && module.TaskType != TaskType.Pipeline)
        {
            throw new RegistrationException($"'{pipeline}' is a {module.TaskType} module, not a pipeline; name the pipeline differently.", field: "pipeline");
        }

        if (module is not null && await db.ModelVersions.AnyAsync(v => v.ModuleId == module.Id && v.Name == versionName, cancellationToken))
        {
            throw new RegistrationException($"Pipeline '{pipeline}' already has a version '{versionName}'.", field: "version");
        }

        var pinnedIds = request.Stages.Select(s => s.ModelVersionId).OfType<int>().Distinct().ToList();
        var pinned = await db.ModelVersions.Include(v => v.Module).Where(v => pinnedIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, cancellationToken);
        var proposed = new List<ProposedStage>(request.Stages.Count);
        foreach (var (stage, i) in request.Stages.Select((s, i) => (s, i)))
        {
            if (stage.ModelVersionId is { } id && !pinned.ContainsKey(id))
            {
                throw new RegistrationException($"Stage {i + 1} pins model version {id}, which does not exist.", field: "stages");
            }

            var version = stage.ModelVersionId is { } pinnedId ? pinned[pinnedId] : null;
            proposed.Add(new ProposedStage(stage.Kind, version is null ? null : $"{version.Module!.Name}/{version.Name}", version?.Module!.TaskType));
        }

        if (PipelineShape.Problem(proposed) is { } problem)
        {
            throw new RegistrationException(problem, field: "stages");
        }

        foreach (var version in pinned.Values)
        {
            if (version.Status == ModelStatus.Retired)
            {
                throw new RegistrationException($"{version.Module!.Name}/{version.Name} is retired; a new pipeline version pins versions that may run.", field: "stages");
            }

            // The card says how to feed the model and read its output; without one the stage could not run.
            try
            {
                EvaluationService.CardOf(version);
            }
            catch (EvaluationException e)
            {
                throw new RegistrationException(e.Message, field: "stages");
            }
        }

        var now = DateTimeOffset.UtcNow;
        module ??= db.Modules.Add(new Module
        {
            Name = pipeline,
            TaskType = TaskType.Pipeline,
            TextComparison = CardFieldMetrics.DefaultRule,
            InputDescription = "a photo of a payment card",
            OutputDescription = "the card number (Luhn-checked) and expiry MM/YY",
            Description = request.Description?.Trim() ?? "",
            CreatedAt = now,
            ErrorTags = ErrorTaxonomy.Defaults(now),
        }).Entity;
        var definition = string.Join("\n", request.Stages.Select(s => $"{s.Kind}:{(s.ModelVersionId is { } id ? pinned[id].Sha256 : "")}"));
        var pipelineVersion = new ModelVersion
        {
            Module = module,
            Name = versionName,
            Status = ModelStatus.Candidate,
            // What the version runs, as one fingerprint: two versions with the same stages and models share it.
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(definition))),
            FileName = $"{pipeline}.pipeline",
            SizeBytes = pinned.Values.Sum(v => v.SizeBytes),
            ParameterCount = pinned.Values.All(v => v.ParameterCount is not null) ? pinned.Values.Sum(v => v.ParameterCount) : null,
            Producer = "QualityHub pipeline",
            Notes = request.Notes?.Trim() ?? "",
            CreatedAt = now,
        };
        db.ModelVersions.Add(pipelineVersion);
        await db.SaveChangesAsync(cancellationToken);
        db.PipelineStages.AddRange(request.Stages.Select((s, i) => new PipelineStage
        {
            PipelineVersionId = pipelineVersion.Id,
            Position = i + 1,
            Kind = s.Kind,
            ModelVersionId = s.ModelVersionId,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return (await VersionAsync(pipelineVersion.Id, cancellationToken))!;
    }

    /// <summary>Every pipeline with its versions (newest first) and their stages.</summary>
    public async Task<IReadOnlyList<PipelineInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var modules = await db.Modules.AsNoTracking().Where(m => m.TaskType == TaskType.Pipeline).OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var versions = await LoadVersionsAsync(db, db.ModelVersions.Where(v => v.Module!.TaskType == TaskType.Pipeline), cancellationToken);
        return modules.Select(m => new PipelineInfo(m.Id, m.Name, m.Description, TextComparisons.Describe(m.TextComparison),
            versions.Where(v => v.ModuleId == m.Id).OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id).ToList(), m.TextComparison)).ToList();
    }

    /// <summary>One pipeline version with its stages, or null when there is no pipeline version of that id.</summary>
    public async Task<PipelineVersionInfo?> VersionAsync(int versionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = await LoadVersionsAsync(db, db.ModelVersions.Where(v => v.Id == versionId && v.Module!.TaskType == TaskType.Pipeline), cancellationToken);
        return versions.SingleOrDefault();
    }

    /// <summary>The detector and recogniser of a card-reader pipeline version, or why it cannot run.</summary>
    public async Task<ResolvedPipeline> ResolveAsync(int versionId, Func<ModelVersion, string, Inference.Engine.ModelSpec> specFor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specFor);
        var info = await VersionAsync(versionId, cancellationToken)
            ?? throw new EvaluationException($"There is no pipeline version {versionId}.", 404, "pipelineVersionId");
        if (info.Unusable is { } reason)
        {
            throw new EvaluationException($"{info.Pipeline}/{info.Name} cannot run: {reason}", 422, "pipelineVersionId");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        async Task<StageModel> Stage(PipelineStageKind kind)
        {
            var id = info.Stages.First(s => s.Kind == kind).ModelVersionId!.Value;
            var version = await db.ModelVersions.Include(v => v.Module).SingleAsync(v => v.Id == id, cancellationToken);
            return new StageModel(specFor(version, version.Module!.Name), EvaluationService.CardOf(version, "pipelineVersionId"));
        }

        var detector = await Stage(PipelineStageKind.TextDetection);
        var recogniser = await Stage(PipelineStageKind.TextRecognition);
        if (detector.Card.Task != ModelTask.TextDetection || recogniser.Card.Task != ModelTask.TextRecognition)
        {
            throw new EvaluationException(
                $"{info.Pipeline}/{info.Name} cannot run: its detector's card says {detector.Card.Task} and its recogniser's {recogniser.Card.Task}.", 422, "pipelineVersionId");
        }

        return new ResolvedPipeline(info.Id, $"{info.Pipeline}/{info.Name}", detector, recogniser);
    }

    /// <summary>The pipeline versions among <paramref name="versions"/> with their stages and whether they can run, read in <paramref name="db"/>.</summary>
    internal static async Task<List<PipelineVersionInfo>> LoadVersionsAsync(QualityHubDbContext db, IQueryable<ModelVersion> versions, CancellationToken cancellationToken)
    {
        var rows = await versions.AsNoTracking().Select(v => new { v.Id, v.ModuleId, Module = v.Module!.Name, v.Name, v.Status, v.CreatedAt }).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var stages = await db.PipelineStages.AsNoTracking().Where(s => ids.Contains(s.PipelineVersionId))
            .Select(s => new
            {
                s.PipelineVersionId,
                s.Position,
                s.Kind,
                s.ModelVersionId,
                Module = s.ModelVersion == null ? null : s.ModelVersion.Module!.Name,
                Version = s.ModelVersion == null ? null : s.ModelVersion.Name,
                Status = s.ModelVersion == null ? (ModelStatus?)null : s.ModelVersion.Status,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(r =>
        {
            var own = stages.Where(s => s.PipelineVersionId == r.Id).OrderBy(s => s.Position)
                .Select(s => new PipelineStageInfo(s.Position, s.Kind, PipelineShape.Of(s.Kind).Title, s.ModelVersionId, s.Module, s.Version, s.Status)).ToList();
            return new PipelineVersionInfo(r.Id, r.ModuleId, r.Module, r.Name, r.Status, r.CreatedAt, own, Unusable(own));
        }).ToList();
    }

    /// <summary>Why a pipeline version with these stages cannot run, or null: a pinned version was retired.</summary>
    private static string? Unusable(IReadOnlyList<PipelineStageInfo> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var retired = stages.Where(s => s.Status == ModelStatus.Retired).Select(s => $"stage {s.Position} ({s.Title}) pins {s.Module}/{s.Version}, which is retired").ToList();
        return retired.Count == 0 ? null : string.Join("; ", retired) + ".";
    }
}
