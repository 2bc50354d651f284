using System.Globalization;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Online;

/// <summary>The Online page's Plotly figures from a series: correction rate, latency online vs offline, QPS; each with release markers.</summary>
public static class OnlineFigures
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public static PlotFigure CorrectionRate(OnlineSeries series)
    {
        var y = YAxis("share of outputs users corrected", ".0%");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        return new(
            series.Releases.Select((r, i) => (ITrace)new Scatter
            {
                Mode = ModeFlag.Lines,
                Name = r.Release,
                X = X(series, r),
                Y = Y(series, r, p => p.CorrectionRate),
                CustomData = Y(series, r, p => p.Count),
                Line = new Line { Color = Color(i), Width = 1.5m },
                HoverTemplate = $"{r.Release}<br>%{{x}}<br>%{{y:.1%}} corrected of %{{customdata:,}} events<extra></extra>",
            }).ToList(),
            Layout(series, y));
    }

    public static PlotFigure Latency(OnlineSeries series)
    {
        var traces = new List<ITrace>();
        for (var i = 0; i < series.Releases.Count; i++)
        {
            var r = series.Releases[i];
            foreach (var (name, pick, width, dash) in new (string, Func<OnlinePoint, double?>, decimal, string)[]
                     { ("p50", p => p.P50, 1, "solid"), ("p95", p => p.P95, 2, "solid"), ("p99", p => p.P99, 1, "dot") })
            {
                traces.Add(new Scatter
                {
                    Mode = ModeFlag.Lines,
                    Name = $"{r.Release} online {name}",
                    LegendGroup = r.Release,
                    X = X(series, r),
                    Y = Y(series, r, pick),
                    Line = new Line { Color = Color(i), Width = width, Dash = dash },
                    HoverTemplate = $"{r.Release} online {name}<br>%{{x}}<br>%{{y:.1f}} ms<extra></extra>",
                });
            }

            if (r.Offline is { } offline && r.Points.Count > 0)
            {
                // Offline numbers are one run's, so they are flat lines across the release's stretch of the chart.
                var span = Values([Time(r.Points[0].T), Time(r.Points[^1].T)]);
                foreach (var (name, value) in new[] { ("p50", offline.P50), ("p95", offline.P95), ("p99", offline.P99) })
                {
                    traces.Add(new Scatter
                    {
                        Mode = ModeFlag.Lines,
                        Name = $"{r.Release} offline {name}",
                        LegendGroup = r.Release,
                        X = span,
                        Y = [value, value],
                        Line = new Line { Color = Color(i), Width = name == "p95" ? 2 : 1, Dash = "dash" },
                        Opacity = 0.6m,
                        HoverTemplate = $"{r.Release} offline {name} (run {offline.RunId}, {offline.Version} on {offline.Dataset}): {value:F2} ms<extra></extra>",
                    });
                }
            }
        }

        // A log axis: offline runs take milliseconds, online requests (network included) tens to hundreds.
        double[] ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 60_000];
        var y = YAxis("ms (log scale)");
        y.Type = Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log;
        y.TickVals = Values(ticks);
        y.TickText = Values(ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)));
        var legend = new Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.V, X = 1.02m, Y = 1, Font = new Plotly.Blazor.LayoutLib.LegendLib.Font { Size = 10 } };
        return new PlotFigure(traces, Layout(series, y, legend));
    }

    public static PlotFigure Qps(OnlineSeries series)
    {
        var y = YAxis($"events/s (mean per {Step(series.StepSeconds)})");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        return new(
            series.Releases.Select((r, i) => (ITrace)new Scatter
            {
                Mode = ModeFlag.Lines,
                StackGroup = "qps",
                Name = r.Release,
                X = X(series, r, zeroAcrossGaps: true),
                Y = Y(series, r, p => p.Qps, zeroAcrossGaps: true),
                Line = new Line { Color = Color(i), Width = 1 },
                HoverTemplate = $"{r.Release}<br>%{{x}}<br>%{{y:.3f}} events/s<extra></extra>",
            }).ToList(),
            Layout(series, y));
    }

    /// <summary>Plotly reads dates without a zone; every time on the page is UTC and the axis says so.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>"minute", "4 minutes", "hour", "2 hours".</summary>
    public static string Step(int seconds) => seconds switch
    {
        60 => "minute",
        3600 => "hour",
        < 3600 => $"{seconds / 60} minutes",
        _ => $"{seconds / 3600.0:0.#} hours",
    };

    // Points more than a step apart had no events between them. A rate or a latency has no value there, so its line
    // breaks (a null, which Plotly does not join across). Events per second were zero, so that line drops to zero
    // for the stretch.
    private static IList<object> X(OnlineSeries series, ReleaseSeries r, bool zeroAcrossGaps = false) =>
        Values(WithGaps(series, r, zeroAcrossGaps).Select(x => Time(x.T)));

    // A null is kept in the list (Plotly breaks the line there), so the values are listed as they are, nulls included.
    private static IList<object> Y(OnlineSeries series, ReleaseSeries r, Func<OnlinePoint, double?> pick, bool zeroAcrossGaps = false) =>
        WithGaps(series, r, zeroAcrossGaps).Select(x => (object)(x.Point is { } p ? pick(p) : zeroAcrossGaps ? 0 : null)!).ToList();

    private static IEnumerable<(DateTimeOffset T, OnlinePoint? Point)> WithGaps(OnlineSeries series, ReleaseSeries r, bool zeroAcrossGaps)
    {
        var step = TimeSpan.FromSeconds(series.StepSeconds);
        OnlinePoint? previous = null;
        foreach (var point in r.Points)
        {
            if (previous is not null && point.T - previous.T > step)
            {
                yield return (previous.T + step, null);
                if (zeroAcrossGaps && point.T - step > previous.T + step)
                {
                    yield return (point.T - step, null);
                }
            }

            yield return (point.T, point);
            previous = point;
        }
    }

    private static string Color(int i) => Colors[i % Colors.Length];

    private static PlotLayout Layout(OnlineSeries series, YAxis yaxis, Legend? legend = null)
    {
        // Release markers: a vertical line where each release's events begin, when that lies in the range.
        var markers = series.Releases.Where(r => r.FirstEventAt is { } at && at >= series.From && at <= series.To).ToList();
        var x = XAxis("UTC");
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Date;
        x.Range = Values([Time(series.From), Time(series.To)]);
        return new PlotLayout
        {
            Margin = Margins(60, 10, 36, 40),
            HoverMode = Plotly.Blazor.LayoutLib.HoverModeEnum.Closest,
            Legend = legend is null ? LegendBelow(-0.18m) : [legend],
            XAxis = [x],
            YAxis = [yaxis],
            Shapes = markers.Select(r => new Shape
            {
                Type = Plotly.Blazor.LayoutLib.ShapeLib.TypeEnum.Line,
                XRef = "x",
                YRef = "paper",
                X0 = Time(r.FirstEventAt!.Value),
                X1 = Time(r.FirstEventAt!.Value),
                Y0 = 0,
                Y1 = 1,
                Line = new Plotly.Blazor.LayoutLib.ShapeLib.Line { Color = "#888", Width = 1, Dash = "dot" },
            }).ToList(),
            // Markers close together take turns at two heights, so their labels do not overlap.
            Annotations = markers.Select((r, i) => new Annotation
            {
                X = Time(r.FirstEventAt!.Value),
                Y = 1,
                XRef = "x",
                YRef = "paper",
                YAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.YAnchorEnum.Bottom,
                Text = $"{r.Release} begins",
                YShift = i % 2 * 13,
                ShowArrow = false,
                Font = new Plotly.Blazor.LayoutLib.AnnotationLib.Font { Size = 11 },
            }).ToList(),
        };
    }
}
