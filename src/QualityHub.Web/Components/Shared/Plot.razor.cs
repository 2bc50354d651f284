using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Plotly.Blazor;
using Plotly.Blazor.Interop;
using Plotly.Blazor.LayoutLib;
using QualityHub.Web.Components.Layout;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Components.Shared;

/// <summary>
/// A Plotly.Blazor chart as every page shows one: named for screen readers, drawn in the portal's light or dark palette,
/// updated in place (Plotly's react) when its figure changes and repainted when the palette does, with clicks on points
/// reported to the page. plotly.js itself is loaded by Plotly.Blazor on the first chart a page draws.
/// </summary>
public sealed partial class Plot : IDisposable
{
    private readonly string id = $"qh-plot-{Guid.NewGuid():N}";
    private readonly Config config = new()
    {
        Responsive = true,
        DisplayLogo = false,
        // Only on hover, and without the tools that select or reset nothing useful here; titles sit on the left, the bar on the right.
        DisplayModeBar = Plotly.Blazor.ConfigLib.DisplayModeBarEnum.Hover,
        ModeBarButtonsToRemove = new[] { "select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian" },
    };

    private PlotlyChart? chart;
    private IList<ITrace> data = [];
    private PlotLayout layout = new();
    private string figureJson = "";
    private string? drawnJson;
    private bool paintedDark;
    private bool disposed;

    [Inject]
    private ThemeChoice Theme { get; set; } = default!;

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

    protected override void OnInitialized() => Theme.Changed += ThemeChanged;

    protected override void OnParametersSet()
    {
        figureJson = Figure.ToJson();
        if (figureJson == drawnJson)
        {
            return;
        }

        data = Figure.Data;
        layout = Figure.Layout;
        config.DisplayModeBar = Figure.ToolBar ? Plotly.Blazor.ConfigLib.DisplayModeBarEnum.Hover : Plotly.Blazor.ConfigLib.DisplayModeBarEnum.False;
        paintedDark = Theme.IsDark;
        ChartPalette.Paint(layout, paintedDark);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            // Plotly.Blazor draws its first figure itself, once its element is on the page.
            drawnJson = figureJson;
            return;
        }

        if (figureJson != drawnJson)
        {
            drawnJson = figureJson;
            await RedrawAsync();
        }
    }

    private void ThemeChanged() => _ = InvokeAsync(async () =>
    {
        if (disposed || paintedDark == Theme.IsDark)
        {
            return;
        }

        paintedDark = Theme.IsDark;
        ChartPalette.Paint(layout, paintedDark);
        await RedrawAsync();
    });

    private async Task RedrawAsync()
    {
        try
        {
            await chart!.React();
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

    private void ChartDrawn()
    {
        if (OnPointClick.HasDelegate)
        {
            _ = InvokeAsync(async () =>
            {
                try
                {
                    await chart!.SubscribeClickEvent();
                }
                catch (JSDisconnectedException)
                {
                }
            });
        }
    }

    private void Clicked(IEnumerable<EventDataPoint> points)
    {
        if (points.FirstOrDefault() is { } point)
        {
            var clicked = new PlotPoint(Text(point.X), Text(point.Y), Number(point.CurveNumber), Number(point.PointIndex ?? point.PointNumber));
            _ = InvokeAsync(() => OnPointClick.InvokeAsync(clicked));
        }
    }

    /// <summary>A point's coordinate as the page reads it: a category's name or a number's invariant text.</summary>
    internal static string? Text(object? value) => value switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString(),
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        JsonElement e => e.GetRawText(),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>A trace or point index; heat maps give a cell as [row, column], whose row is what counts here.</summary>
    internal static int Number(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetInt32(),
        JsonElement { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() > 0 => Number(a[0]),
        int i => i,
        long l => (int)l,
        System.Collections.IList { Count: > 0 } cell => Number(cell[0]),
        _ => 0,
    };

    public void Dispose()
    {
        disposed = true;
        Theme.Changed -= ThemeChanged;
    }
}

/// <summary>A clicked point: its x and y as text (category or number), its trace and its index in the trace.</summary>
public sealed record PlotPoint(string? X, string? Y, int Curve, int Index);

/// <summary>The portal's colours on a chart: see-through backgrounds on the page's surface, ink and grid lines of the palette.</summary>
public static class ChartPalette
{
    /// <summary>Sets the layout's colours for the light or dark palette, and puts its title on the left, clear of the tool bar.</summary>
    public static void Paint(PlotLayout layout, bool dark)
    {
        var ink = dark ? "#e6eaf0" : "#1f2933";
        var muted = dark ? "#a9b4c2" : "#52606d";
        var grid = dark ? "#2c3440" : "#e4e8ed";
        layout.PaperBgColor = "rgba(0,0,0,0)";
        layout.PlotBgColor = "rgba(0,0,0,0)";
        layout.Font ??= new Font();
        layout.Font.Color = ink;
        layout.ModeBar = new ModeBar { BgColor = "rgba(0,0,0,0)", Color = muted, ActiveColor = ink };
        layout.XAxis ??= [new XAxis()];
        layout.YAxis ??= [new YAxis()];
        foreach (var axis in layout.XAxis)
        {
            (axis.GridColor, axis.LineColor, axis.ZeroLineColor) = (grid, grid, grid);
        }

        foreach (var axis in layout.YAxis)
        {
            (axis.GridColor, axis.LineColor, axis.ZeroLineColor) = (grid, grid, grid);
        }

        if (layout.Title is { Text: not null } title)
        {
            (title.X, title.XAnchor, title.XRef) = (0, Plotly.Blazor.LayoutLib.TitleLib.XAnchorEnum.Left, Plotly.Blazor.LayoutLib.TitleLib.XRefEnum.Paper);
        }
    }
}
