using Plotly.Blazor;
using Plotly.Blazor.Traces;
using QualityHub.Core.Metrics;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using BarMarker = Plotly.Blazor.Traces.BarLib.Marker;
using PlotLayout = Plotly.Blazor.Layout;
using ScatterLine = Plotly.Blazor.Traces.ScatterLib.Line;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>The Plotly figures of a run's detail page, built from its stored metrics.</summary>
public static class RunCharts
{
    /// <summary>Rows = true label (top to bottom in label order), columns = predicted label; cells clickable.</summary>
    public static PlotFigure Confusion(ConfusionMatrix matrix)
    {
        var labels = Values(matrix.Labels);
        var x = XAxis("predicted");
        (x.Type, x.TickAngle) = (Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category, -35);
        var y = YAxis("true");
        (y.Type, y.AutoRange) = (Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Category, Plotly.Blazor.LayoutLib.YAxisLib.AutoRangeEnum.Reversed);
        return new PlotFigure(
            [
                new HeatMap
                {
                    X = labels,
                    Y = labels,
                    Z = matrix.Counts.Select(row => (object)row).ToList(),
                    Text = matrix.Counts.Select(row => (object)row.Select(c => c.ToString("N0")).ToArray()).ToList(),
                    TextTemplate = "%{text}",
                    ColorScale = new object[] { new object[] { 0, "#f7fbff" }, new object[] { 0.5, "#6baed6" }, new object[] { 1, "#08306b" } },
                    ShowScale = true,
                    HoverTemplate = "true %{y} → predicted %{x}: %{z}<extra>click to list</extra>",
                    XGap = 1,
                    YGap = 1,
                },
            ],
            new PlotLayout { Margin = Margins(110, 20, 20, 100), XAxis = [x], YAxis = [y] });
    }

    /// <summary>Accuracy per confidence bin against the diagonal of perfect calibration, with the count per bin.</summary>
    public static PlotFigure Reliability(Calibration calibration)
    {
        var bins = calibration.Bins.Where(b => b.Count > 0).ToList();
        var x = XAxis("confidence");
        x.Range = [0.0, 1.0];
        var y = YAxis("accuracy", ".0%");
        y.Range = [0.0, 1.0];
        return new PlotFigure(
            [
                new Bar
                {
                    Name = "accuracy",
                    X = Values(bins.Select(b => (b.Lower + b.Upper) / 2)),
                    Y = Values(bins.Select(b => b.Accuracy)),
                    WidthArray = bins.Select(b => (decimal?)((b.Upper - b.Lower) * 0.9)).ToList(),
                    CustomData = Values(bins.Select(b => b.Count)),
                    HoverTemplate = "confidence %{x:.2f}: accuracy %{y:.1%} over %{customdata} samples<extra></extra>",
                },
                new Scatter
                {
                    Name = "perfect calibration",
                    Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
                    X = [0.0, 1.0],
                    Y = [0.0, 1.0],
                    Line = new ScatterLine { Dash = "dot", Color = "#888" },
                },
            ],
            new PlotLayout
            {
                Margin = Margins(60, 20, 70, 50),
                XAxis = [x],
                YAxis = [y],
                ShowLegend = true,
                Legend = LegendAbove(),
                Title = new Plotly.Blazor.LayoutLib.Title { Text = $"ECE {calibration.ExpectedCalibrationError:P2}", Font = new Plotly.Blazor.LayoutLib.TitleLib.Font { Size = 13 } },
            });
    }

    /// <summary>
    /// A score per slice as a dot with its 95 % interval: dots, not bars, so the axis can start where the scores do
    /// and differences of a few points stay visible.
    /// </summary>
    public static PlotFigure Slices(IReadOnlyList<(string Name, Estimate Score, int Count)> slices, string metric)
    {
        var x = XAxis();
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category;
        var y = YAxis(metric, ".0%");
        y.Range = RangeAround(slices.SelectMany(s => new[] { s.Score.Low, s.Score.High, s.Score.Value }), rate: true);
        return new PlotFigure(
            [
                new Scatter
                {
                    Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Markers,
                    X = Values(slices.Select(s => s.Name)),
                    Y = Values(slices.Select(s => s.Score.Value)),
                    CustomData = Values(slices.Select(s => s.Count)),
                    Marker = new Plotly.Blazor.Traces.ScatterLib.Marker { Size = 10 },
                    ErrorY = new Plotly.Blazor.Traces.ScatterLib.ErrorY
                    {
                        Type = Plotly.Blazor.Traces.ScatterLib.ErrorYLib.TypeEnum.Data,
                        Symmetric = false,
                        Array = Values(slices.Select(s => s.Score.High - s.Score.Value)),
                        ArrayMinus = Values(slices.Select(s => s.Score.Value - s.Score.Low)),
                    },
                    HoverTemplate = $"%{{x}}: {metric} %{{y:.1%}} (n = %{{customdata}})<extra></extra>",
                },
            ],
            new PlotLayout { Margin = Margins(60, 20, 30, 60), XAxis = [x], YAxis = [y] });
    }

    /// <summary>Several series over the same categories (e.g. exact match and CER per tag); rates unless <paramref name="counts"/>.</summary>
    public static PlotFigure GroupedBars(IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series, string axis, bool counts = false)
    {
        var x = XAxis();
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category;
        var y = YAxis(axis, counts ? ",d" : ".0%");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        return new PlotFigure(
            series.Select(s => (ITrace)new Bar
            {
                Name = s.Name,
                X = Values(categories),
                Y = Values(s.Values),
                HoverTemplate = (counts ? "%{x}: %{y:,}" : "%{x}: %{y:.1%}") + "<extra>" + s.Name + "</extra>",
            }).ToList(),
            new PlotLayout
            {
                Margin = Margins(60, 20, 40, 60),
                BarMode = Plotly.Blazor.LayoutLib.BarModeEnum.Group,
                XAxis = [x],
                YAxis = [y],
                Legend = LegendAbove(),
            });
    }

    /// <summary>The distribution of processing time (one input at a time, end to end), with its p50, p95 and p99.</summary>
    public static PlotFigure ProcessingTimeHistogram(ProcessingTime time)
    {
        var histogram = time.Histogram;
        var centers = Enumerable.Range(0, histogram.Counts.Length).Select(i => histogram.Start + (i + 0.5) * histogram.BinWidth);
        var top = histogram.Counts.Length == 0 ? 1 : histogram.Counts.Max();
        ITrace Marker(string name, double x, string color) => new Scatter
        {
            Name = name,
            Mode = Plotly.Blazor.Traces.ScatterLib.ModeFlag.Lines,
            X = [x, x],
            Y = [0, top],
            Line = new ScatterLine { Dash = "dash", Color = color, Width = 1.5m },
        };
        return new PlotFigure(
            [
                new Bar
                {
                    Name = "inputs",
                    X = Values(centers),
                    Y = Values(histogram.Counts),
                    Width = (decimal)(histogram.BinWidth * 0.95),
                    Marker = new BarMarker { Color = "#5b8def" },
                    HoverTemplate = "%{x:.3f} ms: %{y} inputs<extra></extra>",
                },
                Marker($"p50 {Formats.Ms(time.P50Ms)}", time.P50Ms, "#2a9d8f"),
                Marker($"p95 {Formats.Ms(time.P95Ms.Value)}", time.P95Ms.Value, "#e9c46a"),
                Marker($"p99 {Formats.Ms(time.P99Ms)}", time.P99Ms, "#e76f51"),
            ],
            new PlotLayout
            {
                Margin = Margins(60, 20, 40, 50),
                XAxis = [XAxis("ms per input, one at a time (decode + pre + model + post)")],
                YAxis = [YAxis("inputs")],
                Legend = LegendAbove(),
            });
    }

    /// <summary>Processing time p50 and p95 side by side, one group of bars per run; a run that did not measure it has no bars.</summary>
    public static PlotFigure ProcessingTimePerRun(IReadOnlyList<(string Run, ProcessingTime? Time)> runs)
    {
        var measured = runs.Where(r => r.Time is not null).ToList();
        var percentiles = new (string Name, Func<ProcessingTime, double> Pick)[] { ("p50", t => t.P50Ms), ("p95", t => t.P95Ms.Value) };
        return new PlotFigure(
            percentiles.Select(p => (ITrace)new Bar { Name = p.Name, X = Values(measured.Select(r => r.Run)), Y = Values(measured.Select(r => p.Pick(r.Time!))) }).ToList(),
            new PlotLayout
            {
                BarMode = Plotly.Blazor.LayoutLib.BarModeEnum.Group,
                YAxis = [YAxis("ms per input, one at a time")],
                Margin = Margins(60, 20, 40, 60),
                Legend = LegendAbove(),
            });
    }
}
