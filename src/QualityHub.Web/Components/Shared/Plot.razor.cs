using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace QualityHub.Web.Components.Shared;

/// <summary>
/// Draws a Plotly figure and updates it in place (Plotly.react) when the figure changes. plotly.js is loaded
/// on first use by wwwroot/js/plot.js, so pages without charts do not pay for it.
/// </summary>
public sealed partial class Plot
{
    private ElementReference element;
    private IJSObjectReference? module;
    private string? renderedJson;
    private string figureJson = "";
    private bool disposed;

    [Parameter, EditorRequired]
    public required PlotFigure Figure { get; set; }

    /// <summary>Accessible name of the chart (what it shows).</summary>
    [Parameter, EditorRequired]
    public required string Label { get; set; }

    [Parameter]
    public string Height { get; set; } = "320px";

    protected override void OnParametersSet() => figureJson = Figure.ToJson();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (figureJson == renderedJson)
        {
            return;
        }

        try
        {
            module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/plot.js");
            await module.InvokeVoidAsync("render", element, figureJson);
            renderedJson = figureJson;
        }
        catch (JSDisconnectedException)
        {
            // The browser left; nothing to draw on.
        }
        catch (JSException) when (disposed)
        {
            // The chart was removed from the page while it was being drawn.
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        if (module is null)
        {
            return;
        }

        try
        {
            await module.InvokeVoidAsync("purge", element);
            await module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
    }
}
