using System.Globalization;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Online;

/// <summary>The Online page's Plotly figures from a series: correction rate, latency online vs offline, QPS; each with release markers.</summary>
public static class OnlineFigures
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public static PlotFigure CorrectionRate(OnlineSeries series) => new(
        series.Releases.Select((r, i) => (object)new
        {
            type = "scatter",
            mode = "lines",
            name = r.Release,
            x = X(series, r),
            y = Y(series, r, p => p.CorrectionRate),
            customdata = Y(series, r, p => p.Count),
            line = new { color = Color(i), width = 1.5 },
            hovertemplate = $"{r.Release}<br>%{{x}}<br>%{{y:.1%}} corrected of %{{customdata:,}} events<extra></extra>",
        }).ToList(),
        Layout(series, "share of outputs users corrected", new { tickformat = ".0%", rangemode = "tozero" }));

    public static PlotFigure Latency(OnlineSeries series)
    {
        var traces = new List<object>();
        for (var i = 0; i < series.Releases.Count; i++)
        {
            var r = series.Releases[i];
            foreach (var (name, pick, width, dash) in new (string, Func<OnlinePoint, double?>, double, string)[]
                     { ("p50", p => p.P50, 1, "solid"), ("p95", p => p.P95, 2, "solid"), ("p99", p => p.P99, 1, "dot") })
            {
                traces.Add(new
                {
                    type = "scatter",
                    mode = "lines",
                    name = $"{r.Release} online {name}",
                    legendgroup = r.Release,
                    x = X(series, r),
                    y = Y(series, r, pick),
                    line = new { color = Color(i), width, dash },
                    hovertemplate = $"{r.Release} online {name}<br>%{{x}}<br>%{{y:.1f}} ms<extra></extra>",
                });
            }

            if (r.Offline is { } offline && r.Points.Count > 0)
            {
                // Offline numbers are one run's, so they are flat lines across the release's stretch of the chart.
                var span = new[] { Time(r.Points[0].T), Time(r.Points[^1].T) };
                foreach (var (name, value) in new[] { ("p50", offline.P50), ("p95", offline.P95), ("p99", offline.P99) })
                {
                    traces.Add(new
                    {
                        type = "scatter",
                        mode = "lines",
                        name = $"{r.Release} offline {name}",
                        legendgroup = r.Release,
                        x = span,
                        y = new[] { value, value },
                        line = new { color = Color(i), width = name == "p95" ? 2 : 1, dash = "dash" },
                        opacity = 0.6,
                        hovertemplate = $"{r.Release} offline {name} (run {offline.RunId}, {offline.Version} on {offline.Dataset}): {value:F2} ms<extra></extra>",
                    });
                }
            }
        }

        // A log axis: offline runs take milliseconds, online requests (network included) tens to hundreds.
        double[] ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 60_000];
        return new PlotFigure(traces, Layout(series, "ms (log scale)", new { type = "log", tickvals = ticks, ticktext = ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToList() },
            new { orientation = "v", x = 1.02, y = 1, font = new { size = 10 } }));
    }

    public static PlotFigure Qps(OnlineSeries series) => new(
        series.Releases.Select((r, i) => (object)new
        {
            type = "scatter",
            mode = "lines",
            stackgroup = "qps",
            name = r.Release,
            x = X(series, r, zeroAcrossGaps: true),
            y = Y(series, r, p => p.Qps, zeroAcrossGaps: true),
            line = new { color = Color(i), width = 1 },
            hovertemplate = $"{r.Release}<br>%{{x}}<br>%{{y:.3f}} events/s<extra></extra>",
        }).ToList(),
        Layout(series, $"events/s (mean per {Step(series.StepSeconds)})", new { rangemode = "tozero" }));

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
    private static List<string> X(OnlineSeries series, ReleaseSeries r, bool zeroAcrossGaps = false) =>
        WithGaps(series, r, zeroAcrossGaps).Select(x => Time(x.T)).ToList();

    private static List<double?> Y(OnlineSeries series, ReleaseSeries r, Func<OnlinePoint, double?> pick, bool zeroAcrossGaps = false) =>
        WithGaps(series, r, zeroAcrossGaps).Select(x => x.Point is { } p ? pick(p) : zeroAcrossGaps ? 0 : null).ToList();

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

    private static object Layout(OnlineSeries series, string yTitle, object yaxis, object? legend = null)
    {
        // Release markers: a vertical line where each release's events begin, when that lies in the range.
        var markers = series.Releases.Where(r => r.FirstEventAt is { } at && at >= series.From && at <= series.To).ToList();
        return new
        {
            margin = new { t = 36, r = 10, b = 40, l = 60 },
            hovermode = "closest",
            legend = legend ?? new { orientation = "h", y = -0.18 },
            xaxis = new { type = "date", title = new { text = "UTC" }, range = new[] { Time(series.From), Time(series.To) } },
            yaxis = Merge(yaxis, yTitle),
            shapes = markers.Select(r => new
            {
                type = "line",
                xref = "x",
                yref = "paper",
                x0 = Time(r.FirstEventAt!.Value),
                x1 = Time(r.FirstEventAt!.Value),
                y0 = 0,
                y1 = 1,
                line = new { color = "#555", width = 1, dash = "dot" },
            }).ToList(),
            // Markers close together take turns at two heights, so their labels do not overlap.
            annotations = markers.Select((r, i) => new
            {
                x = Time(r.FirstEventAt!.Value),
                y = 1,
                xref = "x",
                yref = "paper",
                yanchor = "bottom",
                text = $"{r.Release} begins",
                yshift = i % 2 * 13,
                showarrow = false,
                font = new { size = 11 },
            }).ToList(),
        };
    }

    private static Dictionary<string, object> Merge(object yaxis, string title)
    {
        var merged = yaxis.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(yaxis)!);
        merged["title"] = new { text = title };
        return merged;
    }
}
