using Plotly.Blazor.Traces;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Compare;

/// <summary>The Compare page's small charts: a candidate's top classes, and each candidate's accuracy on a batch.</summary>
public static class CompareCharts
{
    /// <summary>Bars of the classes a candidate ranked highest, on the full 0–100 % scale: a probability is read against certainty.</summary>
    public static PlotFigure TopK(CandidateResult result) => Percentages(
        result.TopK.Select(k => k.Label), result.TopK.Select(k => (double)k.Probability), "%{x}: %{y:.1%}<extra></extra>", null, bottom: 60);

    /// <summary>Bars of each candidate's share right on the batch so far.</summary>
    public static PlotFigure Accuracy(BatchSummary summary) => Percentages(
        summary.Candidates.Select(c => c.Name), summary.Candidates.Select(c => c.Accuracy ?? 0), "%{x}: %{y:.1%} right<extra></extra>", "accuracy", bottom: 40);

    private static PlotFigure Percentages(IEnumerable<string> names, IEnumerable<double> values, string hover, string? axis, int bottom)
    {
        var shares = values.ToList();
        var y = YAxis(axis, ".0%");
        y.Range = [0, 1];
        return new PlotFigure(
            [
                new Bar
                {
                    X = Values(names),
                    Y = Values(shares),
                    TextArray = shares.Select(s => Formats.Percent(s)).ToList(),
                    TextPosition = Plotly.Blazor.Traces.BarLib.TextPositionEnum.Auto,
                    HoverTemplate = hover,
                },
            ],
            new PlotLayout { Margin = Margins(40, 10, 10, bottom), YAxis = [y] },
            ToolBar: false);
    }
}
