using Plotly.Blazor;
using Plotly.Blazor.Traces;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Datasets;

/// <summary>A dataset's chart: how many samples carry each label and each tag.</summary>
public static class DatasetCharts
{
    /// <summary>Null when the dataset has neither labels nor tags to count.</summary>
    public static PlotFigure? Counts(DatasetDetail detail)
    {
        var traces = new List<ITrace>();
        if (detail.LabelCounts.Count > 0)
        {
            traces.Add(new Bar { Name = "labels", X = Values(detail.LabelCounts.Select(c => c.Name)), Y = Values(detail.LabelCounts.Select(c => c.Count)) });
        }

        // The thirty most frequent tags; a long tail of single-sample tags would make every bar a sliver.
        var kinds = detail.Kinds.Take(30).ToList();
        if (kinds.Count > 0)
        {
            traces.Add(new Bar { Name = "tags", X = Values(kinds.Select(c => c.Name)), Y = Values(kinds.Select(c => c.Count)) });
        }

        return traces.Count == 0
            ? null
            : new PlotFigure(traces, new PlotLayout { Margin = Margins(50, 10, 10, 90), ShowLegend = traces.Count > 1, YAxis = [YAxis("samples")] });
    }
}
