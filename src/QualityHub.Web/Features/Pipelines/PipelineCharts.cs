using Plotly.Blazor;
using Plotly.Blazor.Traces;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>The figures of a pipeline run: where its photos' time goes, and which stage its wrong fields are put down to.</summary>
public static class PipelineCharts
{
    /// <summary>Each stage's time per photo, median and 95th percentile side by side.</summary>
    public static PlotFigure StageTimes(PipelineStageTimes stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        string[] names = ["decode", "detect", "rectify", "recognise", "parse", "end to end"];
        LatencySummary[] summaries = [stages.Decode, stages.Detect, stages.Rectify, stages.Recognise, stages.Parse, stages.EndToEnd];
        var x = XAxis();
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category;
        var y = YAxis("ms per photo");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        ITrace Series(string name, Func<LatencySummary, double> pick) => new Bar
        {
            Name = name,
            X = Values(names),
            Y = Values(summaries.Select(pick)),
            HoverTemplate = "%{x}: %{y:.1f} ms<extra>" + name + "</extra>",
        };
        return new PlotFigure(
            [Series("p50", s => s.P50Ms), Series("p95", s => s.P95Ms)],
            new PlotLayout { Margin = Margins(60, 20, 40, 50), BarMode = Plotly.Blazor.LayoutLib.BarModeEnum.Group, XAxis = [x], YAxis = [y], Legend = LegendAbove() });
    }

    /// <summary>Wrong fields by the stage they are put down to, one series per field.</summary>
    public static PlotFigure Blame(IReadOnlyList<FieldSummary> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var stages = new[] { Core.Pipelines.Blame.Detector, Core.Pipelines.Blame.Recogniser, Core.Pipelines.Blame.Parser };
        return Evaluations.RunCharts.GroupedBars(
            stages.Select(s => s.ToString().ToLowerInvariant()).ToList(),
            fields.Select(f => (f.Field.ToString().ToLowerInvariant(), stages.Select(s => (double)f.Blamed[s]).ToArray())).ToList(),
            "wrong fields", counts: true);
    }
}
