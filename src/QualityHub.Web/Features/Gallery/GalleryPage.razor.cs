using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using QualityHub.Core.Domain;
using QualityHub.Core.Pipelines;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Pipelines;

namespace QualityHub.Web.Features.Gallery;

/// <summary>A run's error gallery: its samples filtered by truth, prediction, tag, confidence or a comparison's changes, a page at a time, each opening for review.</summary>
public sealed partial class GalleryPage : IDisposable
{
    [Inject]
    private GalleryService Gallery { get; set; } = default!;

    [Inject]
    private SampleReviews Reviews { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;


    private static readonly GalleryFilter Default = new();

    [Parameter]
    public int Id { get; set; }

    private RunDetail? run;
    private string? baselineVersion;
    private string? notFound;
    private string? filterError;
    private GalleryFilter filter = Default;
    private long? openItem;
    private int total;
    private IReadOnlyList<string> kinds = [];
    private IReadOnlyList<string> taxonomy = [];
    private FailureKinds? kindsChart;
    private GalleryGrid? grid;
    private string gridKey = "";
    private int version;
    private int selected;
    private bool allMatching;
    private string? bulkTag;
    private string? newTag;
    private string? message;
    private bool messageOk;
    private bool interactive;
    private PhotoFilter pipelineFilter = PhotoFilter.Wrong;
    private CardField? pipelineField;
    private string? pipelineFilterError;

    private string BaselineName => baselineVersion is null ? "" : $" ({baselineVersion})";

    protected override void OnInitialized() => Navigation.LocationChanged += OnLocationChanged;

    protected override async Task OnParametersSetAsync() => await LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        if (new Uri(e.Location).AbsolutePath.EndsWith($"/evaluations/{Id}/gallery", StringComparison.Ordinal))
        {
            _ = InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
        }
    }

    // A pipeline run's gallery link, read as the photos API reads its query: ?blame=detector|recogniser|parser|wrong|all, ?field=number|expiry.
    private void ReadPipelineFilter(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> values)
    {
        var blame = values.GetValueOrDefault("blame").ToString();
        var field = values.GetValueOrDefault("field").ToString();
        pipelineFilterError = null;
        if (!PhotoQuery.TryParse(blame, PhotoFilter.Wrong, out pipelineFilter))
        {
            pipelineFilterError = $"'{blame}' is no stage to blame: {PhotoQuery.Names<PhotoFilter>()}.";
        }

        if (!PhotoQuery.TryParse<CardField?>(field, null, out pipelineField))
        {
            pipelineFilterError = $"'{field}' is no card field: {PhotoQuery.Names<CardField>()}.";
        }
    }

    private async Task LoadAsync()
    {
        var query = new Uri(Navigation.Uri).Query;
        var values = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        openItem = values.TryGetValue("item", out var item) && long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var sampleId) ? sampleId : null;
        var previous = filter;
        try
        {
            filter = GalleryFilter.Parse(query);
            filterError = null;
        }
        catch (GalleryException e)
        {
            filter = Default;
            filterError = $"This link's filter cannot be read: {e.Message}";
        }

        try
        {
            if (run?.Summary.Id != Id)
            {
                run = await Gallery.GetRunAsync(Id);
                kinds = await Gallery.GetKindsAsync(run.Summary.DatasetId);
                await LoadTaxonomyAsync();
            }

            if (run.Summary.TaskType == TaskType.Pipeline)
            {
                ReadPipelineFilter(values);
                return;
            }

            baselineVersion = filter.BaselineRunId is { } b ? (await Gallery.GetRunAsync(b)).Summary.Version : null;
            if (filterError is null)
            {
                total = (await Gallery.GetPageAsync(Id, filter, 0, 0, inlineImages: false)).Total;
            }
        }
        catch (GalleryException e) when (run is null)
        {
            notFound = e.Message;
            return;
        }
        catch (GalleryException e)
        {
            filterError = e.Message;
            total = 0;
        }

        if (previous != filter || gridKey.Length == 0)
        {
            version++;
            selected = 0;
            allMatching = false;
        }

        gridKey = $"{filter.ToQuery()}#{version}";
    }

    private async Task LoadTaxonomyAsync()
    {
        taxonomy = (await Reviews.GetTagsAsync(run!.Summary.ModuleId)).Select(t => t.Name).ToList();
        kindsChart = await Gallery.GetFailureKindsAsync(Id);
    }

    private string Link(GalleryFilter f, long? item = null)
    {
        var query = f.ToQuery();
        if (item is { } i)
        {
            query = query.Length == 0 ? $"item={i}" : $"{query}&item={i}";
        }

        return query.Length == 0 ? $"evaluations/{Id}/gallery" : $"evaluations/{Id}/gallery?{query}";
    }

    private void Apply(GalleryFilter next)
    {
        message = null;
        Navigation.NavigateTo(Link(next));
    }

    private static string? Text(ChangeEventArgs e) => e.Value is string { Length: > 0 } v ? v : null;

    private static double? Probability(ChangeEventArgs e) =>
        double.TryParse(e.Value as string, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? Math.Clamp(v, 0, 1) : null;

    private static GallerySort SortOf(ChangeEventArgs e) => GalleryFilter.Parse($"sort={e.Value}").Sort;

    private Task OpenAsync(long sampleId)
    {
        Navigation.NavigateTo(Link(filter, sampleId));
        return Task.CompletedTask;
    }

    private void CloseItem() => Navigation.NavigateTo(Link(filter));

    private async Task ItemChangedAsync()
    {
        await LoadTaxonomyAsync();
        total = (await Gallery.GetPageAsync(Id, filter, 0, 0, inlineImages: false)).Total;
        if (grid is not null)
        {
            await grid.ReloadAsync();
        }
    }

    private void SelectionChanged((int Count, bool AllMatching) selection)
    {
        selected = selection.Count;
        allMatching = selection.AllMatching;
        if (selection.Count > 0)
        {
            message = null; // a new selection; the outcome of the last tagging (which clears the selection) stays
        }
    }

    private async Task TagSelectionAsync(bool remove)
    {
        var tag = string.IsNullOrWhiteSpace(newTag) ? bulkTag : newTag;
        if (string.IsNullOrWhiteSpace(tag) || grid is null)
        {
            (messageOk, message) = (false, "Pick a tag, or type a new one.");
            return;
        }

        var outcome = await grid.ApplyTagAsync(tag, remove, create: !remove && !string.IsNullOrWhiteSpace(newTag));
        (messageOk, message) = (outcome.Ok, outcome.Message);
        if (outcome.Ok)
        {
            newTag = null;
            await grid.ClearSelectionAsync();
            await LoadTaxonomyAsync();
            total = (await Gallery.GetPageAsync(Id, filter, 0, 0, inlineImages: false)).Total;
        }
    }

    private void KindClicked(PlotPoint point)
    {
        if (point.X is { } tag && tag != "untagged")
        {
            Apply(filter with { Tag = tag });
        }
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
