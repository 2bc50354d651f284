using Microsoft.AspNetCore.Components;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>The pipeline part of a run's page: its end-to-end figures and its photos by blamed stage (<see cref="PipelinePhotoGallery"/>).</summary>
public sealed partial class PipelineRunReport
{
    private static readonly Blame[] Stages = [Blame.Detector, Blame.Recogniser, Blame.Parser];

    private PipelinePhotoGallery gallery = default!;

    [Parameter, EditorRequired]
    public int RunId { get; set; }

    [Parameter, EditorRequired]
    public RunMetrics Metrics { get; set; } = default!;

    private PipelineFieldsReport Fields => Metrics.Fields!;

    /// <summary>The photo filter of a blamed stage.</summary>
    public static PhotoFilter FilterOf(Blame stage) => stage switch
    {
        Blame.Detector => PhotoFilter.Detector,
        Blame.Recogniser => PhotoFilter.Recogniser,
        _ => PhotoFilter.Parser,
    };

    private static string Name(CardField f) => f.ToString().ToLowerInvariant();

    private static string Interval(Estimate e) => Formats.Interval(e);

    private static string Range(Estimate e) => $"({e.Low:0.####}–{e.High:0.####})";

    // Runs from before pipelines took their module's rule were scored by the number's digits and the expiry without spaces.
    private string RuleText => Fields.RuleDescription ?? "by the number's digits and the expiry without spaces";

    private string RawHeadline => Fields.CardsReadRightRaw is { } raw ? $"; raw {Formats.Percent(raw.Value)}" : "";
}
