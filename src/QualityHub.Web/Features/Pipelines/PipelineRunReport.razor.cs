using Microsoft.AspNetCore.Components;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>The pipeline part of a run's page: its end-to-end figures and its photos by blamed stage, a page at a time.</summary>
public sealed partial class PipelineRunReport
{
    private const int PageSize = 12;
    private static readonly Blame[] Stages = [Blame.Detector, Blame.Recogniser, Blame.Parser];

    [Inject]
    private PipelineRunCatalog Catalog { get; set; } = default!;

    [Parameter, EditorRequired]
    public int RunId { get; set; }

    [Parameter, EditorRequired]
    public RunMetrics Metrics { get; set; } = default!;

    private PipelineFieldsReport Fields => Metrics.Fields!;

    private PhotoFilter filter = PhotoFilter.Wrong;
    private CardField? field;
    private int pageIndex;
    private PipelinePhotoPage? page;
    private int loadedFor = -1;

    protected override async Task OnParametersSetAsync()
    {
        if (loadedFor != RunId)
        {
            loadedFor = RunId;
            await LoadAsync();
        }
    }

    private async Task ShowAsync(PhotoFilter by, CardField? onField)
    {
        (filter, field, pageIndex) = (by, onField, 0);
        await LoadAsync();
    }

    private async Task GoToAsync(int index)
    {
        pageIndex = Math.Max(0, index);
        await LoadAsync();
    }

    private async Task LoadAsync() => page = await Catalog.GetPhotosAsync(RunId, filter, field, pageIndex * PageSize, PageSize);

    private static PhotoFilter FilterOf(Blame stage) => stage switch
    {
        Blame.Detector => PhotoFilter.Detector,
        Blame.Recogniser => PhotoFilter.Recogniser,
        _ => PhotoFilter.Parser,
    };

    private static string Label(PhotoFilter by) => by switch
    {
        PhotoFilter.Wrong => "a field wrong",
        PhotoFilter.Detector => "missed by the detector",
        PhotoFilter.Recogniser => "misread by the recogniser",
        PhotoFilter.Parser => "the parser's",
        _ => "all",
    };

    private static string Name(CardField f) => f.ToString().ToLowerInvariant();

    private static string Interval(Estimate e) => Formats.Interval(e);
}
