using QualityHub.Core.Metrics;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>The Plotly figures of a run's detail page, built from its stored metrics.</summary>
public static class RunCharts
{
    private static readonly object Margins = new { l = 60, r = 20, t = 30, b = 60 };

    /// <summary>Rows = true label (top to bottom in label order), columns = predicted label; cells clickable.</summary>
    public static PlotFigure Confusion(ConfusionMatrix matrix)
    {
        var labels = matrix.Labels;
        var text = matrix.Counts.Select(row => row.Select(c => c.ToString("N0")).ToArray()).ToArray();
        return new PlotFigure(
            [new
            {
                type = "heatmap",
                x = labels,
                y = labels,
                z = matrix.Counts,
                text,
                texttemplate = "%{text}",
                colorscale = new object[] { new object[] { 0, "#f7fbff" }, new object[] { 0.5, "#6baed6" }, new object[] { 1, "#08306b" } },
                showscale = true,
                hovertemplate = "true %{y} → predicted %{x}: %{z}<extra>click to list</extra>",
                xgap = 1,
                ygap = 1,
            }],
            new
            {
                margin = new { l = 110, r = 20, t = 20, b = 100 },
                xaxis = new { title = new { text = "predicted" }, type = "category", tickangle = -35 },
                yaxis = new { title = new { text = "true" }, type = "category", autorange = "reversed" },
            });
    }

    /// <summary>Accuracy per confidence bin against the diagonal of perfect calibration, with the count per bin.</summary>
    public static PlotFigure Reliability(Calibration calibration)
    {
        var bins = calibration.Bins.Where(b => b.Count > 0).ToList();
        return new PlotFigure(
            [
                new { type = "bar", name = "accuracy", x = bins.Select(b => (b.Lower + b.Upper) / 2).ToArray(), y = bins.Select(b => b.Accuracy).ToArray(),
                      width = bins.Select(b => (b.Upper - b.Lower) * 0.9).ToArray(), customdata = bins.Select(b => b.Count).ToArray(),
                      hovertemplate = "confidence %{x:.2f}: accuracy %{y:.1%} over %{customdata} samples<extra></extra>" },
                new { type = "scatter", mode = "lines", name = "perfect calibration", x = new[] { 0.0, 1.0 }, y = new[] { 0.0, 1.0 }, line = new { dash = "dot", color = "#888" } },
            ],
            new
            {
                margin = Margins,
                xaxis = new { title = new { text = "confidence" }, range = new[] { 0.0, 1.0 } },
                yaxis = new { title = new { text = "accuracy" }, range = new[] { 0.0, 1.0 }, tickformat = ".0%" },
                showlegend = true,
                legend = new { orientation = "h", y = -0.25 },
                title = new { text = $"ECE {calibration.ExpectedCalibrationError:P2}", font = new { size = 13 } },
            });
    }

    /// <summary>A score per slice with its 95 % interval as error bars.</summary>
    public static PlotFigure Slices(IReadOnlyList<(string Name, Estimate Score, int Count)> slices, string metric)
    {
        return new PlotFigure(
            [new
            {
                type = "bar",
                x = slices.Select(s => s.Name).ToArray(),
                y = slices.Select(s => s.Score.Value).ToArray(),
                customdata = slices.Select(s => s.Count).ToArray(),
                error_y = new
                {
                    type = "data",
                    symmetric = false,
                    array = slices.Select(s => s.Score.High - s.Score.Value).ToArray(),
                    arrayminus = slices.Select(s => s.Score.Value - s.Score.Low).ToArray(),
                },
                hovertemplate = $"%{{x}}: {metric} %{{y:.1%}} (n = %{{customdata}})<extra></extra>",
            }],
            new { margin = Margins, yaxis = new { title = new { text = metric }, tickformat = ".0%", rangemode = "tozero" }, xaxis = new { type = "category" } });
    }

    /// <summary>Several series over the same categories (e.g. exact match and CER per tag); rates unless <paramref name="counts"/>.</summary>
    public static PlotFigure GroupedBars(IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series, string axis, bool counts = false) =>
        new(
            series.Select(s => (object)new
            {
                type = "bar",
                name = s.Name,
                x = categories,
                y = s.Values,
                hovertemplate = (counts ? "%{x}: %{y:,}" : "%{x}: %{y:.1%}") + "<extra>" + s.Name + "</extra>",
            }).ToList(),
            new
            {
                margin = Margins,
                barmode = "group",
                yaxis = new { title = new { text = axis }, tickformat = counts ? ",d" : ".0%", rangemode = "tozero" },
                xaxis = new { type = "category" },
                legend = new { orientation = "h", y = -0.3 }
            });

    /// <summary>The distribution of per-item latency.</summary>
    public static PlotFigure LatencyHistogram(Histogram histogram, LatencySummary latency)
    {
        var centers = Enumerable.Range(0, histogram.Counts.Length).Select(i => histogram.Start + (i + 0.5) * histogram.BinWidth).ToArray();
        var top = histogram.Counts.Length == 0 ? 1 : histogram.Counts.Max();
        object Marker(string name, double x, string color) =>
            new { type = "scatter", mode = "lines", name, x = new[] { x, x }, y = new[] { 0, top }, line = new { dash = "dash", color, width = 1.5 } };
        return new PlotFigure(
            [
                new { type = "bar", name = "items", x = centers, y = histogram.Counts, width = histogram.BinWidth * 0.95, marker = new { color = "#5b8def" },
                      hovertemplate = "%{x:.2f} ms: %{y} items<extra></extra>" },
                Marker($"p50 {latency.P50Ms:F2} ms", latency.P50Ms, "#2a9d8f"),
                Marker($"p95 {latency.P95Ms:F2} ms", latency.P95Ms, "#e9c46a"),
                Marker($"p99 {latency.P99Ms:F2} ms", latency.P99Ms, "#e76f51"),
            ],
            new
            {
                margin = Margins,
                xaxis = new { title = new { text = "ms per item (pre + compute + post)" } },
                yaxis = new { title = new { text = "items" } },
                legend = new { orientation = "h", y = -0.3 }
            });
    }
}
