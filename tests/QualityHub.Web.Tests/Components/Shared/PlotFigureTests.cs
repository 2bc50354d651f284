using System.Text.Json;
using Plotly.Blazor.Traces;
using QualityHub.Web.Components.Shared;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Tests.Components.Shared;

/// <summary>A figure's JSON (how a chart knows its data changed) and the builders every figure shares.</summary>
public sealed class PlotFigureTests
{
    private static PlotFigure Bars(params double[] values) =>
        new([new Bar { Name = "counts", X = Figure.Values(values.Select((_, i) => $"c{i}")), Y = Figure.Values(values) }], new PlotLayout());

    [Fact]
    public void A_figure_serialises_its_traces_by_their_own_type_as_plotly_reads_them_without_nulls()
    {
        using var json = JsonDocument.Parse(Bars(1, 2.5).ToJson());

        var trace = json.RootElement.GetProperty("data")[0];
        Assert.Equal("bar", trace.GetProperty("type").GetString());
        Assert.Equal(2.5, trace.GetProperty("y")[1].GetDouble());
        Assert.Equal("counts", trace.GetProperty("name").GetString());
        Assert.False(trace.TryGetProperty("marker", out _));
    }

    [Fact]
    public void Two_figures_of_the_same_data_read_the_same_and_new_data_reads_differently()
    {
        Assert.Equal(Bars(1, 2).ToJson(), Bars(1, 2).ToJson());
        Assert.NotEqual(Bars(1, 2).ToJson(), Bars(1, 3).ToJson());
    }

    [Fact]
    public void An_accuracy_axis_starts_near_the_lowest_score_not_at_zero()
    {
        var range = Figure.RangeAround([0.84, 0.88, 0.92], rate: true)!;

        var (from, to) = ((double)range[0], (double)range[1]);
        Assert.InRange(from, 0.80, 0.84);
        Assert.InRange(to, 0.92, 0.96);
    }

    [Fact]
    public void A_rate_axis_stays_between_0_and_1_and_no_data_leaves_the_range_to_plotly()
    {
        var range = Figure.RangeAround([0.0, 0.99], rate: true)!;

        Assert.Equal(0.0, (double)range[0]);
        Assert.Equal(1.0, (double)range[1]);
        Assert.Null(Figure.RangeAround([double.NaN], rate: true));
        Assert.Null(Figure.RangeAround([], rate: false));
    }

    [Fact]
    public void The_palette_paints_ink_and_grid_for_dark_and_moves_the_title_left_of_the_tool_bar()
    {
        var layout = new PlotLayout { Title = new Plotly.Blazor.LayoutLib.Title { Text = "ECE 1 %" } };

        ChartPalette.Paint(layout, dark: true);

        Assert.Equal("#e6eaf0", layout.Font.Color);
        Assert.Equal("rgba(0,0,0,0)", layout.PaperBgColor);
        Assert.Equal("#2c3440", Assert.Single(layout.YAxis).GridColor);
        Assert.Equal(0, layout.Title.X);
        Assert.Equal(Plotly.Blazor.LayoutLib.TitleLib.XAnchorEnum.Left, layout.Title.XAnchor);

        ChartPalette.Paint(layout, dark: false);
        Assert.Equal("#1f2933", layout.Font.Color);
    }
}
