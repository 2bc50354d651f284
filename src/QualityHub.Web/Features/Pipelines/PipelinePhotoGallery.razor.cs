using Microsoft.AspNetCore.Components;
using QualityHub.Core.Pipelines;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>A pipeline run's photos by blamed stage and field, a page at a time (on the run's page and its gallery).</summary>
public sealed partial class PipelinePhotoGallery
{
    private const int PageSize = 12;

    [Inject]
    private PipelineRunCatalog Catalog { get; set; } = default!;

    [Parameter, EditorRequired]
    public int RunId { get; set; }

    /// <summary>The photos shown first: those with a field wrong, unless asked otherwise.</summary>
    [Parameter]
    public PhotoFilter Filter { get; set; } = PhotoFilter.Wrong;

    /// <summary>The field shown first (either when null).</summary>
    [Parameter]
    public CardField? Field { get; set; }

    private PhotoFilter filter;
    private CardField? field;
    private int pageIndex;
    private PipelinePhotoPage? page;
    private (int RunId, PhotoFilter Filter, CardField? Field)? loadedFor;
    private bool interactive;

    protected override async Task OnParametersSetAsync()
    {
        if (loadedFor != (RunId, Filter, Field))
        {
            loadedFor = (RunId, Filter, Field);
            (filter, field, pageIndex) = (Filter, Field, 0);
            await LoadAsync();
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            // Clicks count from here: tests and people wait for data-interactive="true".
            interactive = true;
            StateHasChanged();
        }
    }

    /// <summary>Shows the photos that pass <paramref name="by"/> on <paramref name="onField"/> (either when null), from the first page.</summary>
    public async Task ShowAsync(PhotoFilter by, CardField? onField)
    {
        (filter, field, pageIndex) = (by, onField, 0);
        await LoadAsync();
        StateHasChanged();
    }

    private async Task GoToAsync(int index)
    {
        pageIndex = Math.Max(0, index);
        await LoadAsync();
    }

    private async Task LoadAsync() => page = await Catalog.GetPhotosAsync(RunId, filter, field, pageIndex * PageSize, PageSize);

    private static string Label(PhotoFilter by) => by switch
    {
        PhotoFilter.Wrong => "a field wrong",
        PhotoFilter.Detector => "missed by the detector",
        PhotoFilter.Recogniser => "misread by the recogniser",
        PhotoFilter.Parser => "the parser's",
        _ => "all",
    };
}
