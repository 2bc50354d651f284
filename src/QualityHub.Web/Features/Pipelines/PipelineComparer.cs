using System.Diagnostics;
using Microsoft.Extensions.Options;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Evaluations;
using QualityHub.Data.Registry;
using QualityHub.Inference;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Pipelines;
using QualityHub.Inference.Tasks;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>What one pipeline version made of a photo: its reading (regions, texts, fields, stage times), or why it could not read it.</summary>
public sealed record PipelineAnswer(int VersionId, string Name, CardReading? Reading, double TotalMs, string? Error);

/// <summary>
/// One photo through several pipeline versions, one after another (each version's stage times are its own, nothing
/// else in flight): the versions are resolved as an evaluation resolves them, so an unusable one answers with its reason.
/// </summary>
public sealed class PipelineComparer(PipelineRegistry pipelines, ModelRegistry models, ModelTaskRunner runner, IOptions<EvaluationOptions> options)
{
    public const int MaxVersions = 4;

    /// <summary>The photo's encoded bytes decoded (within the evaluation's pixel limit), or <see cref="InvalidImageException"/>.</summary>
    public Image Decode(byte[] bytes) => ImageDecoder.Decode(bytes, options.Value.MaxImagePixels);

    public async Task<IReadOnlyList<PipelineAnswer>> CompareAsync(IReadOnlyList<int> versionIds, Image photo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versionIds);
        if (versionIds.Count is 0 or > MaxVersions)
        {
            throw new ArgumentException($"Compare 1 to {MaxVersions} pipeline versions; {versionIds.Count} were chosen.", nameof(versionIds));
        }

        var reader = new CardReader(runner);
        var answers = new List<PipelineAnswer>(versionIds.Count);
        foreach (var id in versionIds.Distinct())
        {
            var name = $"pipeline version {id}";
            try
            {
                var pipeline = await pipelines.ResolveAsync(id, models.SpecFor, cancellationToken);
                name = pipeline.Name;
                var started = Stopwatch.GetTimestamp();
                var reading = await reader.ReadAsync(pipeline.Detector, pipeline.Recogniser, photo, cancellationToken);
                answers.Add(new PipelineAnswer(id, name, reading, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null));
            }
            catch (Exception e) when (e is EvaluationException or OnnxRuntimeException or InvalidModelCardException or ArgumentException or IOException or InvalidOperationException
                && !cancellationToken.IsCancellationRequested)
            {
                answers.Add(new PipelineAnswer(id, name, null, 0, e.Message));
            }
        }

        return answers;
    }

    /// <summary>A reading's fields as shown beside the truth: the number's digits and the expiry (<see cref="CardPhotoJson.Summary"/>).</summary>
    public static string Summary(CardReading reading) => CardPhotoJson.Summary(reading.Fields.Number, reading.Fields.Expiry);
}
