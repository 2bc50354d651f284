using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Inference.Onnx;
using QualityHub.Worker;

namespace QualityHub.Web.Features.Models;

/// <summary>A module as lists show it.</summary>
public sealed record ModuleSummary(int Id, string Name, TaskType TaskType, string InputDescription, string OutputDescription, string Description, int Versions);

/// <summary>A model version as lists show it; every item names its module and task type.</summary>
public sealed record ModelVersionSummary(
    int Id, int ModuleId, string Module, TaskType TaskType, string Name, ModelStatus Status, string Sha256, long SizeBytes,
    long? ParameterCount, long? Opset, string? Producer, int? TrainedOnDatasetId, DateTimeOffset CreatedAt);

/// <summary>One model version in full: what the file says about itself, its card and notes, and whether it is kept from running.</summary>
public sealed record ModelVersionDetail(
    ModelVersionSummary Summary, string Notes, string? ModelCardJson, string? TrainedOnDataset,
    IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs, IReadOnlyDictionary<string, long> Opsets,
    IReadOnlyDictionary<string, string> MetadataProps, long IrVersion, int NodeCount, string? InspectionError, QuarantinedModel? Quarantine = null);

/// <summary>Reads modules and model versions for the Models pages and the API.</summary>
public sealed class ModelCatalog(IDbContextFactory<QualityHubDbContext> contextFactory, ContentStore store, ModelQuarantine quarantine)
{
    public async Task<IReadOnlyList<ModuleSummary>> GetModulesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.Modules.OrderBy(m => m.Name)
            .Select(m => new ModuleSummary(m.Id, m.Name, m.TaskType, m.InputDescription, m.OutputDescription, m.Description, m.Versions.Count))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ModelVersionSummary>> GetVersionsAsync(int? moduleId = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions
            .Where(v => moduleId == null || v.ModuleId == moduleId)
            .Select(v => new ModelVersionSummary(v.Id, v.ModuleId, v.Module!.Name, v.Module.TaskType, v.Name, v.Status, v.Sha256, v.SizeBytes, v.ParameterCount, v.Opset, v.Producer, v.TrainedOnDatasetId, v.CreatedAt))
            .ToListAsync(cancellationToken);
        return versions.OrderBy(v => v.Module, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<ModelVersionDetail?> GetVersionAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var version = await db.ModelVersions.Include(v => v.Module).Include(v => v.TrainedOnDataset).SingleOrDefaultAsync(v => v.Id == id, cancellationToken);
        if (version is null)
        {
            return null;
        }

        var summary = new ModelVersionSummary(version.Id, version.ModuleId, version.Module!.Name, version.Module.TaskType, version.Name, version.Status, version.Sha256, version.SizeBytes, version.ParameterCount, version.Opset, version.Producer, version.TrainedOnDatasetId, version.CreatedAt);
        try
        {
            var info = OnnxModelReader.ReadFile(store.PathOf(version.Sha256));
            return new ModelVersionDetail(summary, version.Notes, version.ModelCardJson, version.TrainedOnDataset?.Name, info.Inputs, info.Outputs, info.Opsets, info.MetadataProps, info.IrVersion, info.NodeCount, null,
                quarantine.Find(version.Sha256));
        }
        catch (Exception e) when (e is IOException or OnnxFormatException or UnauthorizedAccessException)
        {
            return new ModelVersionDetail(summary, version.Notes, version.ModelCardJson, version.TrainedOnDataset?.Name, [], [], new Dictionary<string, long>(), new Dictionary<string, string>(), 0, 0, $"The stored file cannot be read: {e.Message}",
                quarantine.Find(version.Sha256));
        }
    }
}
