using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Data;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Web.Features.Compare;

/// <summary>Turns ids from a request into runnable candidates and inputs, refusing what cannot run with a reason.</summary>
public sealed class CandidateSource(
    IDbContextFactory<QualityHubDbContext> contextFactory, ModelRegistry registry, ContentStore store, IOptions<CompareOptions> options)
{
    /// <summary>The versions in the order asked; all of one module, each with a usable card.</summary>
    public async Task<IReadOnlyList<Candidate>> ResolveAsync(IReadOnlyList<int>? versionIds, CancellationToken cancellationToken = default)
    {
        if (versionIds is null || versionIds.Count == 0)
        {
            throw new CompareException("Choose at least one model version (modelVersionIds).");
        }

        if (versionIds.Count > CompareOptions.MaxCandidates)
        {
            throw new CompareException($"Compare at most {CompareOptions.MaxCandidates} model versions at once, not {versionIds.Count}.");
        }

        if (versionIds.Distinct().Count() != versionIds.Count)
        {
            throw new CompareException("Each model version may appear once in modelVersionIds.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions.Include(v => v.Module).Where(v => versionIds.Contains(v.Id)).ToListAsync(cancellationToken);
        var missing = versionIds.Where(id => versions.All(v => v.Id != id)).ToList();
        if (missing.Count > 0)
        {
            throw new CompareException($"There is no model version {string.Join(", ", missing)}.", StatusCodes.Status404NotFound);
        }

        if (versions.Select(v => v.ModuleId).Distinct().Count() > 1)
        {
            throw new CompareException(
                $"The versions belong to different modules ({string.Join(", ", versions.Select(v => v.Module!.Name).Distinct())}); compare candidates of one module.");
        }

        return versionIds.Select(id => ToCandidate(versions.Single(v => v.Id == id))).ToList();
    }

    /// <summary>Whether a version is still registered (to tell a deleted model from a failing one).</summary>
    public async Task<bool> ExistsAsync(int versionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.ModelVersions.AnyAsync(v => v.Id == versionId, cancellationToken);
    }

    /// <summary>A dataset sample as the input, its image decoded.</summary>
    public async Task<CompareInput> SampleInputAsync(long sampleId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sample = await db.Samples.Where(s => s.Id == sampleId)
            .Select(s => new SampleRef(s.Id, s.DatasetId, s.Ordinal, s.ImageSha256, s.GroundTruth, s.Tags))
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new CompareException($"There is no sample {sampleId}.", StatusCodes.Status404NotFound);
        return new CompareInput(await LoadImageAsync(sample, cancellationToken), sample);
    }

    /// <summary>The decoded image of a sample from the store.</summary>
    public async Task<Image> LoadImageAsync(SampleRef sample, CancellationToken cancellationToken = default)
    {
        if (!store.Contains(sample.ImageSha256))
        {
            throw new CompareException($"The image of sample {sample.Id} is missing from the store.", StatusCodes.Status404NotFound);
        }

        try
        {
            return ImageDecoder.Decode(await File.ReadAllBytesAsync(store.PathOf(sample.ImageSha256), cancellationToken), options.Value.MaxImagePixels);
        }
        catch (InvalidImageException e)
        {
            throw new CompareException($"The stored image of sample {sample.Id} cannot be read: {e.Message}", StatusCodes.Status422UnprocessableEntity);
        }
    }

    /// <summary>An uploaded, pasted or drawn image (JPEG, PNG, WebP, BMP or GIF bytes) as the input.</summary>
    public CompareInput UploadedInput(ReadOnlySpan<byte> bytes)
    {
        var limits = options.Value;
        if (bytes.Length == 0)
        {
            throw new CompareException("The image is empty.");
        }

        if (bytes.Length > limits.MaxImageBytes)
        {
            throw new CompareException(
                $"The image is {bytes.Length / 1048576.0:F1} MiB; the limit is {limits.MaxImageMb} MiB.", StatusCodes.Status413PayloadTooLarge);
        }

        try
        {
            return new CompareInput(ImageDecoder.Decode(bytes.ToArray(), limits.MaxImagePixels), null);
        }
        catch (InvalidImageException e)
        {
            throw new CompareException($"The input is not a usable image: {e.Message}");
        }
    }

    private Candidate ToCandidate(Core.Domain.ModelVersion version)
    {
        var module = version.Module!;
        if (version.ModelCardJson is null)
        {
            throw new CompareException($"Model version {module.Name}/{version.Name} has no confirmed model card; confirm one on its Models page first.", StatusCodes.Status422UnprocessableEntity);
        }

        try
        {
            var card = ModelCard.Parse(version.ModelCardJson);
            return new Candidate(version.Id, version.Name, module.Id, module.Name, module.TaskType, registry.SpecFor(version, module.Name), card);
        }
        catch (InvalidModelCardException e)
        {
            throw new CompareException($"The model card of {module.Name}/{version.Name} cannot be used: {e.Message}", StatusCodes.Status422UnprocessableEntity);
        }
    }
}
