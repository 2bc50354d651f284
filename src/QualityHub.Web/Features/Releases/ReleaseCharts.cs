using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Releases;

/// <summary>The Releases page's trend: one module's headline metric and p95 latency, release by release.</summary>
public static class ReleaseCharts
{
    public static PlotFigure Trend(IReadOnlyList<ReleaseView> releases, int moduleId, string module)
    {
        var points = releases.Select(r => (r.Name, Entry: r.Entries.FirstOrDefault(e => e.ModuleId == moduleId)))
            .Where(p => p.Entry?.Metrics?.Headline is not null).ToList();
        var headline = points.Select(p => p.Entry!.Metrics!.Headline!).ToList();
        var headlineName = points.FirstOrDefault().Entry?.Metrics?.HeadlineName ?? "headline";
        var names = Values(points.Select(p => p.Name));
        var x = XAxis();
        x.Type = Plotly.Blazor.LayoutLib.XAxisLib.TypeEnum.Category;
        // Half a release of room at both ends, so the first and last version names are not cut at the plot's edge.
        x.Range = [-0.5, Math.Max(points.Count - 0.5, 0.5)];
        var score = YAxis(headlineName, ".0%");
        // From where the releases' intervals lie, not from 0 %: a step of two points must be visible.
        score.Range = RangeAround(headline.SelectMany(h => new[] { h.Low, h.High }), rate: true);
        var latency = YAxis("processing p95 ms", ".3~g");
        latency.NTicks = 5;
        (latency.Overlaying, latency.Side, latency.RangeMode) =
            ("y", Plotly.Blazor.LayoutLib.YAxisLib.SideEnum.Right, Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero);
        return new PlotFigure(
            [
                new Scatter
                {
                    Mode = ModeFlag.Lines | ModeFlag.Markers | ModeFlag.Text,
                    Name = headlineName,
                    X = names,
                    Y = Values(headline.Select(h => h.Value)),
                    TextArray = points.Select(p => p.Entry!.Version).ToList(),
                    TextPosition = TextPositionEnum.TopCenter,
                    ClipOnAxis = false,
                    ErrorY = new ErrorY
                    {
                        Type = Plotly.Blazor.Traces.ScatterLib.ErrorYLib.TypeEnum.Data,
                        Symmetric = false,
                        Array = Values(headline.Select(h => h.High - h.Value)),
                        ArrayMinus = Values(headline.Select(h => h.Value - h.Low)),
                    },
                },
                new Scatter
                {
                    Mode = ModeFlag.Lines | ModeFlag.Markers,
                    Name = "processing time p95 (ms)",
                    YAxis = "y2",
                    Line = new Line { Dash = "dot", Color = "#e76f51" },
                    X = names,
                    Y = Values(points.Select(p => p.Entry!.Metrics!.ProcessingP95Ms?.Value)),
                },
            ],
            new PlotLayout
            {
                Title = new Plotly.Blazor.LayoutLib.Title { Text = module, Font = new Plotly.Blazor.LayoutLib.TitleLib.Font { Size = 13 } },
                Margin = Margins(60, 60, 70, 40),
                XAxis = [x],
                YAxis = [score, latency],
                Legend = LegendAbove(),
            });
    }
}
