using Bunit;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Tests.Components.Shared;

/// <summary>The chart component's contract with wwwroot/js/plot.js: draw once, redraw in place on new data, report clicks, purge on removal.</summary>
public sealed class PlotTests : ComponentTests
{
    private readonly BunitJSModuleInterop plotJs;

    public PlotTests()
    {
        plotJs = JSInterop.SetupModule("./js/plot.js");
    }

    private static PlotFigure Bars(params double[] values) =>
        new([new BarTrace(values.Select((_, i) => $"c{i}").ToList(), values)], new { title = new { text = "counts" } });

    private List<JSRuntimeInvocation> Calls(string identifier) => plotJs.Invocations.Where(i => i.Identifier == identifier).ToList();

    [Fact]
    public void A_chart_is_drawn_once_with_its_figure_and_named_for_screen_readers()
    {
        var figure = Bars(1, 2);

        var cut = Render<Plot>(p => p.Add(c => c.Figure, figure).Add(c => c.Label, "Errors per class").Add(c => c.Height, "200px"));

        var render = Assert.Single(Calls("render"));
        Assert.Equal(figure.ToJson(), render.Arguments[1]);
        Assert.Null(render.Arguments[2]); // no click handler, no .NET reference handed to JS
        var div = cut.Find("div.qh-plot");
        Assert.Equal("img", div.GetAttribute("role"));
        Assert.Equal("Errors per class", div.GetAttribute("aria-label"));
        Assert.Contains("height: 200px", div.GetAttribute("style"));
    }

    [Fact]
    public void The_same_figure_again_is_not_redrawn_and_new_data_is_drawn_in_place()
    {
        var cut = Render<Plot>(p => p.Add(c => c.Figure, Bars(1, 2)).Add(c => c.Label, "counts"));

        cut.Render(p => p.Add(c => c.Figure, Bars(1, 2)));
        Assert.Single(Calls("render"));

        cut.Render(p => p.Add(c => c.Figure, Bars(3, 4)));
        Assert.Equal(2, Calls("render").Count);
        Assert.Equal(Bars(3, 4).ToJson(), Calls("render")[1].Arguments[1]);
        Assert.Empty(Calls("purge"));
        Assert.Single(JSInterop.Invocations, i => i.Identifier == "import");
    }

    [Fact]
    public async Task A_click_on_a_point_reaches_the_page_with_its_coordinates()
    {
        PlotPoint? clicked = null;
        var cut = Render<Plot>(p => p.Add(c => c.Figure, Bars(1, 2)).Add(c => c.Label, "counts").Add(c => c.OnPointClick, point => clicked = point));
        Assert.NotNull(Assert.Single(Calls("render")).Arguments[2]);

        await cut.InvokeAsync(() => cut.Instance.PointClicked("c1", "2", 0, 1));

        Assert.Equal(new PlotPoint("c1", "2", 0, 1), clicked);
    }

    [Fact]
    public async Task A_removed_chart_is_purged_from_the_page()
    {
        Render<Plot>(p => p.Add(c => c.Figure, Bars(1)).Add(c => c.Label, "counts"));

        await DisposeComponentsAsync();

        Assert.Single(Calls("purge"));
    }
}
