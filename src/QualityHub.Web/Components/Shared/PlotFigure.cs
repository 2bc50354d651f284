using System.Text.Json;
using System.Text.Json.Serialization;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Components.Shared;

/// <summary>
/// What a chart draws: Plotly.Blazor's typed traces and layout. The <see cref="Plot"/> component owns the colours
/// (light or dark palette), the tool bar and the title's place; a figure says only what the data is.
/// </summary>
public sealed record PlotFigure(IList<ITrace> Data, PlotLayout Layout, bool ToolBar = true)
{
    /// <summary>A figure with Plotly's default layout (an empty chart before the data arrives).</summary>
    public PlotFigure(IList<ITrace> data)
        : this(data, new PlotLayout())
    {
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// The figure as JSON, traces by their own types: two figures that draw the same give the same text, so a page that
    /// builds its figure again on every render does not redraw an unchanged chart.
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(new { data = Data.Cast<object>(), layout = Layout }, JsonOptions);
}

/// <summary>Small builders for the parts every figure repeats: values as Plotly takes them, axes, margins.</summary>
public static class Figure
{
    /// <summary>Plotly.Blazor takes every coordinate list as objects.</summary>
    public static IList<object> Values<T>(IEnumerable<T> values) => values.Select(v => (object)v!).ToList();

    public static Margin Margins(int left, int right, int top, int bottom) => new() { L = left, R = right, T = top, B = bottom };

    public static XAxis XAxis(string? title = null, string? tickFormat = null) =>
        new() { Title = title is null ? null : new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = title }, TickFormat = tickFormat };

    public static YAxis YAxis(string? title = null, string? tickFormat = null) =>
        new() { Title = title is null ? null : new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = title }, TickFormat = tickFormat };

    /// <summary>A legend in one row under the plot (for charts whose x axis has a short title and upright labels).</summary>
    public static IList<Legend> LegendBelow(decimal y = -0.25m) => [new Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, Y = y }];

    /// <summary>
    /// A legend in one row just above the plot, on the left: clear of slanted category labels below and of the tool bar,
    /// which shows on the right. Leave it 40 px of top margin, 70 with a title above it.
    /// </summary>
    public static IList<Legend> LegendAbove() =>
    [
        new Legend
        {
            Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H,
            X = 0,
            XAnchor = Plotly.Blazor.LayoutLib.LegendLib.XAnchorEnum.Left,
            Y = 1.02m,
            YAnchor = Plotly.Blazor.LayoutLib.LegendLib.YAnchorEnum.Bottom,
        },
    ];

    /// <summary>
    /// An axis range around the data with a little room on both sides, so 84 % to 92 % is drawn as such and not squeezed
    /// at the top of 0 to 100 %. Rates stay within 0 and 1. Null when there is nothing to show, and Plotly chooses.
    /// </summary>
    public static IList<object>? RangeAround(IEnumerable<double> values, bool rate)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0)
        {
            return null;
        }

        var (low, high) = (finite.Min(), finite.Max());
        var pad = Math.Max((high - low) * 0.15, rate ? 0.01 : Math.Abs(high) * 0.05 + 1e-9);
        var (from, to) = (low - pad, high + pad);
        if (rate)
        {
            (from, to) = (Math.Max(0, from), Math.Min(1, to));
        }

        return [from, to];
    }
}
