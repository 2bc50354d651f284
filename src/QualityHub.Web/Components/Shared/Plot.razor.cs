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

    /// <summary>Called when a point (bar, heat-map cell, marker) is clicked.</summary>
    [Parameter]
    public EventCallback<PlotPoint> OnPointClick { get; set; }

    private DotNetObjectReference<Plot>? self;

    /// <summary>Called by plot.js on a click on a point.</summary>
    [JSInvokable]
    public Task PointClicked(string? x, string? y, int curve, int index) => OnPointClick.InvokeAsync(new PlotPoint(x, y, curve, index));

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
            if (OnPointClick.HasDelegate)
            {
                self ??= DotNetObjectReference.Create(this);
            }

            await module.InvokeVoidAsync("render", element, figureJson, self);
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
        self?.Dispose();
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

/// <summary>A clicked point: its x and y as text (category or number), its trace and its index in the trace.</summary>
public sealed record PlotPoint(string? X, string? Y, int Curve, int Index);
