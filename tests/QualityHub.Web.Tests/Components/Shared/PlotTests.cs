using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Plotly.Blazor;
using Plotly.Blazor.Interop;
using Plotly.Blazor.Traces;
using QualityHub.Web.Components.Layout;
using QualityHub.Web.Components.Shared;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Tests.Components.Shared;

/// <summary>
/// The chart component over Plotly.Blazor: drawn once, redrawn in place (react) only when its figure changes or the
/// palette flips, clicks reported to the page as points.
/// </summary>
public sealed class PlotTests : ComponentTests
{
    private readonly BunitJSModuleInterop plotly;

    public PlotTests()
    {
        plotly = JSInterop.SetupModule(module => module.Arguments.Count > 0 && module.Arguments[0] is string path && path.Contains("Plotly.Blazor/plotly-interop"));
    }

    private static PlotFigure Bars(params double[] values) =>
        new([new Bar { X = Figure.Values(values.Select((_, i) => $"c{i}")), Y = Figure.Values(values) }], new PlotLayout());

    private List<JSRuntimeInvocation> Calls(string identifier) => plotly.Invocations.Where(i => i.Identifier == identifier).ToList();

    private IRenderedComponent<Plot> RenderPlot(PlotFigure figure, Action<PlotPoint>? clicked = null) =>
        Render<Plot>(p =>
        {
            p.Add(c => c.Figure, figure).Add(c => c.Label, "Errors per class").Add(c => c.Height, "200px");
            if (clicked is not null)
            {
                p.Add(c => c.OnPointClick, clicked);
            }
        });

    [Fact]
    public void A_chart_is_drawn_once_named_for_screen_readers_in_the_height_asked()
    {
        var cut = RenderPlot(Bars(1, 2));

        cut.WaitForAssertion(() => Assert.Single(Calls("newPlot")));
        Assert.Empty(Calls("react"));
        Assert.Empty(Calls("subscribeClickEvent"));
        var box = cut.Find("div.qh-plot");
        Assert.Equal("img", box.GetAttribute("role"));
        Assert.Equal("Errors per class", box.GetAttribute("aria-label"));
        Assert.Contains("height: 200px", box.GetAttribute("style"));
    }

    [Fact]
    public void The_same_figure_again_is_not_redrawn_and_new_data_is_drawn_in_place()
    {
        var cut = RenderPlot(Bars(1, 2));
        cut.WaitForAssertion(() => Assert.Single(Calls("newPlot")));

        cut.Render(p => p.Add(c => c.Figure, Bars(1, 2)));
        Assert.Empty(Calls("react"));

        cut.Render(p => p.Add(c => c.Figure, Bars(3, 4)));
        cut.WaitForAssertion(() => Assert.Single(Calls("react")));
        Assert.Single(Calls("newPlot"));
    }

    [Fact]
    public async Task Flipping_the_palette_repaints_the_chart_in_place_with_the_dark_ink()
    {
        var figure = Bars(1, 2);
        var cut = RenderPlot(figure);
        cut.WaitForAssertion(() => Assert.Single(Calls("newPlot")));
        Assert.Equal("#1f2933", figure.Layout.Font.Color);

        await cut.InvokeAsync(() => Services.GetRequiredService<ThemeChoice>().ToggleAsync());

        cut.WaitForAssertion(() => Assert.Single(Calls("react")));
        Assert.Equal("#e6eaf0", figure.Layout.Font.Color);
    }

    [Fact]
    public async Task A_click_on_a_heat_map_cell_reaches_the_page_with_its_coordinates()
    {
        PlotPoint? clicked = null;
        var cut = RenderPlot(Bars(1, 2), point => clicked = point);
        cut.WaitForAssertion(() => Assert.Single(Calls("subscribeClickEvent")));

        var chart = cut.FindComponent<PlotlyChart>().Instance;
        await cut.InvokeAsync(() => chart.ClickEvent([new EventDataPoint { X = "bag", Y = "coat", CurveNumber = 0, PointIndex = new[] { 3, 1 } }]));

        cut.WaitForAssertion(() => Assert.Equal(new PlotPoint("bag", "coat", 0, 3), clicked));
    }
}
