using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace QualityHub.Web.Features.Gallery;

/// <summary>The thumbnails of a gallery page, drawn by the browser from one sheet; a click opens the sample.</summary>
public sealed partial class GalleryGrid : IAsyncDisposable
{
    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private const int RowHeight = 176; // .qh-gallery-item (10.5rem) + the row gap (0.5rem) at 16 px per rem
    private ElementReference element;
    private IJSObjectReference? module;
    private DotNetObjectReference<GalleryGrid>? self;

    // Set when the grid leaves the page; the mount may still be waiting for the script then.
    private bool disposed;

    [Parameter, EditorRequired]
    public required int RunId { get; set; }

    /// <summary>The gallery filter as a query string (GalleryFilter.ToQuery).</summary>
    [Parameter, EditorRequired]
    public required string Query { get; set; }

    [Parameter, EditorRequired]
    public required int Total { get; set; }

    /// <summary>Thumbnails per row: 8 for small images, fewer for wide text lines.</summary>
    [Parameter]
    public int PerRow { get; set; } = 8;

    [Parameter]
    public EventCallback<long> OnOpen { get; set; }

    /// <summary>How many items are selected, and whether that is "all matching".</summary>
    [Parameter]
    public EventCallback<(int Count, bool AllMatching)> OnSelection { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            self = DotNetObjectReference.Create(this);
            var imported = await JS.InvokeAsync<IJSObjectReference>("import", "./js/gallery-grid.js");
            if (disposed)
            {
                // The user left (a sample's ticket link, another page) while the script loaded: mounting now would hand
                // the browser a disposed reference and end the circuit, so nothing is mounted.
                await imported.DisposeAsync();
                return;
            }

            module = imported;
            await module.InvokeVoidAsync("mount", element, new { runId = RunId, query = Query, total = Total, perRow = PerRow, rowHeight = RowHeight, dotnet = self });
        }
        catch (JSDisconnectedException)
        {
        }
    }

    [JSInvokable]
    public Task OpenItem(long sampleId) => OnOpen.InvokeAsync(sampleId);

    [JSInvokable]
    public Task SelectionChanged(int count, bool allMatching) => OnSelection.InvokeAsync((count, allMatching));

    public async Task SelectAllMatchingAsync(bool on) => await CallAsync("selectAllMatching", on);

    public async Task ClearSelectionAsync() => await CallAsync("clearSelection");

    /// <summary>Tags or untags the selection; the message says what happened or why not.</summary>
    public async Task<TagOutcome> ApplyTagAsync(string tag, bool remove, bool create)
    {
        if (module is null)
        {
            return new TagOutcome(false, "The gallery is not ready yet.");
        }

        try
        {
            return await module.InvokeAsync<TagOutcome>("applyTag", element, tag, remove, create);
        }
        catch (JSDisconnectedException)
        {
            return new TagOutcome(false, "The browser disconnected.");
        }
    }

    /// <summary>Loads the visible items again (after their tags or flags changed).</summary>
    public async Task ReloadAsync() => await CallAsync("reload");

    private async Task CallAsync(string function, params object?[] args)
    {
        if (module is null)
        {
            return;
        }

        try
        {
            await module.InvokeVoidAsync(function, [element, .. args]);
        }
        catch (JSDisconnectedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        if (module is not null)
        {
            try
            {
                await module.InvokeVoidAsync("dispose", element);
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }

        self?.Dispose();
    }

    /// <summary>What tagging the selection did.</summary>
    public sealed record TagOutcome(bool Ok, string Message);
}
