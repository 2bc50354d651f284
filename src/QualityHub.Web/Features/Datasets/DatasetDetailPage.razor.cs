using Microsoft.AspNetCore.Components;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Gallery;

namespace QualityHub.Web.Features.Datasets;

/// <summary>
/// One dataset: its licence, label and kind counts, and its samples as a grid that one label and/or one kind narrows;
/// a sample opens beside the grid with every run's answer and the modelers' tags, notes and flag. Filter and open sample
/// live in the address (?label=&amp;tag=&amp;sample=), so a view can be shared.
/// </summary>
public sealed partial class DatasetDetailPage
{
    private DatasetDetail? detail;
    private PlotFigure? figure;
    private IReadOnlyList<string> taxonomy = [];
    private int shown;
    private bool loaded;
    private bool interactive;

    [Inject]
    private DatasetCatalog Catalog { get; set; } = default!;

    [Inject]
    private SampleReviews Reviews { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Parameter]
    public int Id { get; set; }

    [SupplyParameterFromQuery(Name = "label")]
    public string? Label { get; set; }

    [SupplyParameterFromQuery(Name = "tag")]
    public string? Tag { get; set; }

    [SupplyParameterFromQuery(Name = "sample")]
    public long? Sample { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (detail?.Summary.Id != Id)
        {
            detail = await Catalog.GetDatasetAsync(Id);
            figure = detail is null ? null : DatasetCharts.Counts(detail);
            taxonomy = detail?.Summary.ModuleId is { } module ? (await Reviews.GetTagsAsync(module)).Select(t => t.Name).ToList() : [];
        }

        // The grid's height is what the filter keeps.
        shown = detail is null ? 0 : (await Catalog.GetSamplesAsync(Id, 0, 0, inlineImages: false, new SampleFilter(Label, Tag)))?.Total ?? 0;
        loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private void Filter(string? label, string? tag) => Navigation.NavigateTo(
        Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["label"] = label, ["tag"] = tag, ["sample"] = null }));

    private void CloseSample() => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("sample", (long?)null));
}
