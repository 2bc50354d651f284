using System.Text.Json;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Tests.Components.Shared;

public class PlotFigureTests
{
    [Fact]
    public void A_figure_serialises_as_plotly_reads_it_without_nulls()
    {
        var figure = new PlotFigure([new BarTrace(["a", "b"], [1, 2.5]) { Name = "counts" }], new { title = new { text = "T" } });

        using var json = JsonDocument.Parse(figure.ToJson());

        var trace = json.RootElement.GetProperty("data")[0];
        Assert.Equal("bar", trace.GetProperty("type").GetString());
        Assert.Equal(2.5, trace.GetProperty("y")[1].GetDouble());
        Assert.Equal("counts", trace.GetProperty("name").GetString());
        Assert.False(trace.TryGetProperty("marker", out _));
        Assert.Equal("T", json.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        Assert.False(json.RootElement.TryGetProperty("config", out _));
    }
}
