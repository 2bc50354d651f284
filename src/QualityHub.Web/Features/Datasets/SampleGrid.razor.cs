using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace QualityHub.Web.Features.Datasets;

/// <summary>The virtual thumbnail grid of a dataset, optionally of one label and/or one kind.</summary>
public sealed partial class SampleGrid : IAsyncDisposable
{
    private const int PerRow = 8;
    private const int RowHeight = 152; // .qh-thumb (9rem) + the row gap (0.5rem) at 16 px per rem
    private ElementReference element;
    private IJSObjectReference? module;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Parameter, EditorRequired]
    public required int DatasetId { get; set; }

    /// <summary>How many samples the filter keeps (the grid's height).</summary>
    [Parameter, EditorRequired]
    public required int Total { get; set; }

    [Parameter]
    public string? Label { get; set; }

    [Parameter]
    public string? Tag { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/sample-grid.js");
            await module.InvokeVoidAsync("mount", element, new { datasetId = DatasetId, total = Total, perRow = PerRow, rowHeight = RowHeight, label = Label, tag = Tag });
        }
        catch (JSDisconnectedException)
        {
            // The browser left before the grid was drawn.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (module is null)
        {
            return;
        }

        try
        {
            await module.InvokeVoidAsync("dispose", element);
            await module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
    }
}
