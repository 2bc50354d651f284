using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Web.Features.Compare;

/// <summary>A model version ready to run: its engine spec and its confirmed card.</summary>
public sealed record Candidate(int VersionId, string Name, int ModuleId, string Module, TaskType TaskType, ModelSpec Spec, ModelCard Card);

/// <summary>A dataset sample given as the input, with what is known about it.</summary>
public sealed record SampleRef(long Id, int DatasetId, int Ordinal, string ImageSha256, string GroundTruth, IReadOnlyList<string> Tags);

/// <summary>
/// The image every candidate sees; the sample it came from, when it came from one, or else the answer expected of it
/// (a ticket's expected output), which the answers are checked against as a sample's ground truth would be.
/// </summary>
public sealed record CompareInput(Image Image, SampleRef? Sample, string? Expected = null)
{
    public string? GroundTruth => Sample?.GroundTruth ?? Expected;
}

/// <summary>A recogniser's answer: the string, each character's confidence, and its alignment with the ground truth.</summary>
public sealed record TextAnswer(string Text, IReadOnlyList<string> Characters, IReadOnlyList<float> Confidences, IReadOnlyList<DiffStep>? Diff, int? EditDistance);

/// <summary>One candidate's answer to one input, or why there is none.</summary>
public sealed record CandidateResult(
    int ModelVersionId,
    string Name,
    string? Output,
    float? Confidence,
    IReadOnlyList<ClassScore> TopK,
    TextAnswer? Text,
    InferenceTiming? Timing,
    ExecutionProvider? Provider,
    bool? Correct,
    string? Error,
    double ServerMs,
    string? RanOn = null)
{
    public bool Succeeded => Error is null;
}

/// <summary>A request the comparison cannot serve; the message says what to change, and which field, when one is to blame.</summary>
public sealed class CompareException(string message, int statusCode = StatusCodes.Status400BadRequest, string? field = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The form field the refusal concerns ("collection", "groundTruth"), or null when it is about the request as a whole.</summary>
    public string? Field { get; } = field;
}

/// <summary>What the Compare page's collection form asks for: the input into this collection, with this ground truth.</summary>
public sealed record CollectionRequest(string Collection, string GroundTruth);
