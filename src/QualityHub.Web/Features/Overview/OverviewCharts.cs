using Plotly.Blazor.Traces;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Overview;

/// <summary>The Overview's chart: how much of each kind the portal holds.</summary>
public static class OverviewCharts
{
    /// <summary>Bars of the counts; on an empty portal the axis counts in whole steps instead of 0.2s.</summary>
    public static PlotFigure Counts(IReadOnlyList<(string Label, long Value)> counts, bool empty)
    {
        var y = YAxis();
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        y.DTick = empty ? 1 : null;
        return new PlotFigure(
            [
                new Bar
                {
                    X = Values(counts.Select(c => c.Label)),
                    Y = Values(counts.Select(c => c.Value)),
                    TextArray = counts.Select(c => c.Value.ToString("N0")).ToList(),
                    TextPosition = Plotly.Blazor.Traces.BarLib.TextPositionEnum.Auto,
                    HoverTemplate = "%{x}: %{y}<extra></extra>",
                },
            ],
            new PlotLayout { Margin = Margins(40, 10, 10, 40), YAxis = [y] });
    }
}
