using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using QualityHub.Core.Drift;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Online;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Drift;

/// <summary>The Drift page's charts: a measure of every descriptor over time with its thresholds and release markers, and one distribution against the reference.</summary>
public static class DriftFigures
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    /// <summary>
    /// One line per descriptor of the measures of <paramref name="kind"/> (PSI or JS), a point per window; windows with
    /// too few events are gaps. Dashed lines at the watch and alert thresholds; dotted ones where releases begin.
    /// </summary>
    public static PlotFigure OverTime(DriftReport report, string kind)
    {
        var measures = report.Measures.Where(m => m.Kind == kind).ToList();
        var traces = measures.Select((m, i) => (ITrace)new Scatter
        {
            Mode = ModeFlag.Lines | ModeFlag.Markers,
            Name = m.Title,
            X = Values(m.Points.Select(p => OnlineFigures.Time(p.T))),
            Y = m.Points.Select(p => (object)p.Value!).ToList(),
            CustomData = Values(m.Points.Select(p => $"{m.Descriptor}|{p.N:N0}")),
            Line = new Line { Color = Colors[i % Colors.Length], Width = 1.5m },
            HoverTemplate = $"{m.Title}<br>window from %{{x}}<br>{kind.ToUpperInvariant()} %{{y:.3f}}<extra></extra>",
        }).ToList();

        var y = YAxis(kind == DriftMeasureKind.Psi ? "population stability index" : "Jensen–Shannon distance");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        var x = XAxis("window start (UTC)");
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Date;
        var (watch, alert) = kind == DriftMeasureKind.Psi ? (report.Settings.PsiWatch, report.Settings.PsiAlert) : (report.Settings.JsWatch, report.Settings.JsAlert);
        var shapes = new List<Shape> { Threshold(watch, "#f0ad4e"), Threshold(alert, "#d62728") };
        var annotations = new List<Annotation> { ThresholdLabel(watch, "watch"), ThresholdLabel(alert, "alert") };
        foreach (var (marker, i) in report.Releases.Where(r => r.From >= report.From && r.From <= report.To).Select((r, i) => (r, i)))
        {
            shapes.Add(new Shape
            {
                Type = Plotly.Blazor.LayoutLib.ShapeLib.TypeEnum.Line,
                XRef = "x",
                YRef = "paper",
                X0 = OnlineFigures.Time(marker.From),
                X1 = OnlineFigures.Time(marker.From),
                Y0 = 0,
                Y1 = 1,
                Line = new Plotly.Blazor.LayoutLib.ShapeLib.Line { Color = "#888", Width = 1, Dash = "dot" },
            });
            annotations.Add(new Annotation
            {
                X = OnlineFigures.Time(marker.From),
                Y = 1,
                XRef = "x",
                YRef = "paper",
                YAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.YAnchorEnum.Bottom,
                Text = $"{marker.Release} begins",
                ShowArrow = false,
                YShift = i % 2 * 13,
                Font = new Plotly.Blazor.LayoutLib.AnnotationLib.Font { Size = 11 },
            });
        }

        return new PlotFigure(traces, new PlotLayout
        {
            Margin = Margins(60, 10, 36, 40),
            HoverMode = Plotly.Blazor.LayoutLib.HoverModeEnum.Closest,
            Legend = LegendBelow(-0.2m),
            XAxis = [x],
            YAxis = [y],
            Shapes = shapes,
            Annotations = annotations,
        });
    }

    /// <summary>The reference's and the window's shares per bin (or category) side by side.</summary>
    public static PlotFigure Distribution(DriftDistribution distribution)
    {
        var labels = Values(distribution.Bins.Select(b => b.Label));
        Bar Bars(string name, string color, IEnumerable<double> shares, IEnumerable<long> counts) => new()
        {
            Name = name,
            X = labels,
            Y = Values(shares),
            CustomData = Values(counts),
            Marker = new Plotly.Blazor.Traces.BarLib.Marker { Color = color },
            HoverTemplate = $"{name}<br>%{{x}}<br>%{{y:.1%}} (%{{customdata:,}})<extra></extra>",
        };

        var x = XAxis(distribution.Continuous ? $"{distribution.Title} (bin)" : distribution.Title);
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category;
        return new PlotFigure(
            [
                Bars($"reference (run {distribution.ReferenceRunId})", "#7f7f7f", distribution.Bins.Select(b => b.ReferenceShare), distribution.Bins.Select(b => b.ReferenceCount)),
                Bars("window", "#1f77b4", distribution.Bins.Select(b => b.WindowShare), distribution.Bins.Select(b => b.WindowCount)),
            ],
            new PlotLayout
            {
                BarMode = BarModeEnum.Group,
                BarGap = 0.05m,
                Margin = Margins(60, 10, 30, 90),
                Legend = LegendAbove(),
                XAxis = [x],
                YAxis = [YAxis("share", ".0%")],
            });
    }

    /// <summary>The share of checked events that broke each data rule (those with any violation), a point per window.</summary>
    public static PlotFigure Violations(IReadOnlyList<DriftViolation> violations)
    {
        var broken = violations.Where(v => v.Violations > 0).ToList();
        var traces = broken.Select((v, i) => (ITrace)new Scatter
        {
            Mode = ModeFlag.Lines | ModeFlag.Markers,
            Name = v.Text,
            X = Values(v.Points.Select(p => OnlineFigures.Time(p.T))),
            Y = v.Points.Select(p => (object)(p.Checked == 0 ? null! : (double)p.Violations / p.Checked)).ToList(),
            CustomData = Values(v.Points.Select(p => $"{p.Violations:N0} of {p.Checked:N0}")),
            Line = new Line { Color = Colors[i % Colors.Length], Width = 1.5m },
            HoverTemplate = $"{v.Text}<br>window from %{{x}}<br>%{{y:.2%}} broke it (%{{customdata}})<extra></extra>",
        }).ToList();
        var x = XAxis("window start (UTC)");
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Date;
        var y = YAxis("share of checked events", ".1%");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        return new PlotFigure(traces, new PlotLayout
        {
            Margin = Margins(60, 10, 20, 60),
            HoverMode = Plotly.Blazor.LayoutLib.HoverModeEnum.Closest,
            Legend = LegendBelow(-0.4m),
            XAxis = [x],
            YAxis = [y],
        });
    }

    private static Shape Threshold(double value, string color) => new()
    {
        Type = Plotly.Blazor.LayoutLib.ShapeLib.TypeEnum.Line,
        XRef = "paper",
        YRef = "y",
        X0 = 0,
        X1 = 1,
        Y0 = value,
        Y1 = value,
        Line = new Plotly.Blazor.LayoutLib.ShapeLib.Line { Color = color, Width = 1, Dash = "dash" },
    };

    private static Annotation ThresholdLabel(double value, string text) => new()
    {
        X = 1,
        Y = value,
        XRef = "paper",
        YRef = "y",
        XAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.XAnchorEnum.Right,
        YAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.YAnchorEnum.Bottom,
        Text = $"{text} {value:0.##}",
        ShowArrow = false,
        Font = new Plotly.Blazor.LayoutLib.AnnotationLib.Font { Size = 10 },
    };
}
