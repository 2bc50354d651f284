using System.Text.Json;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>The Online page's charts across stretches without events.</summary>
public sealed class OnlineFiguresTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    // Events in minutes 0, 1 and 5 (and none in 2-4), a point per minute.
    private static OnlineSeries Series()
    {
        OnlinePoint Point(int minute, double rate) => new(Start.AddMinutes(minute), 100, 100 / 60.0, (long)(rate * 100), rate, 20, 10, 30, 40);
        var points = new[] { Point(0, 0.1), Point(1, 0.2), Point(5, 0.3) };
        var release = new ReleaseSeries(1, "2026.11", Start, null, new OnlineTotals(300, 60, 0.2, 20, 10, 30, 40), points);
        return new OnlineSeries(1, "card-text-recognizer", "minute", 60, 60, Start, Start.AddMinutes(6), 0.113, [release]);
    }

    private static (List<string?> X, List<double?> Y) FirstTrace(OnlineSeries series, Func<OnlineSeries, QualityHub.Web.Components.Shared.PlotFigure> figure)
    {
        var trace = JsonSerializer.SerializeToElement((object)figure(series).Data[0]);
        return (trace.GetProperty("x").EnumerateArray().Select(v => v.GetString()).ToList(),
            trace.GetProperty("y").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToList());
    }

    [Fact]
    public void A_rate_line_breaks_where_there_were_no_events_instead_of_joining_across()
    {
        var (x, y) = FirstTrace(Series(), OnlineFigures.CorrectionRate);

        Assert.Equal(["2026-11-30 08:00:00", "2026-11-30 08:01:00", "2026-11-30 08:02:00", "2026-11-30 08:05:00"], x);
        Assert.Equal([0.1, 0.2, null, 0.3], y);
        var latency = FirstTrace(Series(), OnlineFigures.Latency);
        Assert.Equal([10, 10, null, 10], latency.Y); // p50
    }

    [Fact]
    public void Events_per_second_drop_to_zero_for_the_stretch_without_events()
    {
        var (x, y) = FirstTrace(Series(), OnlineFigures.Qps);

        Assert.Equal(["2026-11-30 08:00:00", "2026-11-30 08:01:00", "2026-11-30 08:02:00", "2026-11-30 08:04:00", "2026-11-30 08:05:00"], x);
        Assert.Equal([100 / 60.0, 100 / 60.0, 0, 0, 100 / 60.0], y);
    }

    [Fact]
    public void Points_a_step_apart_are_joined_as_they_are()
    {
        var series = Series();
        var joined = series with { Releases = [series.Releases[0] with { Points = series.Releases[0].Points.Take(2).ToList() }] };

        Assert.Equal([0.1, 0.2], FirstTrace(joined, OnlineFigures.CorrectionRate).Y);
        Assert.Equal(2, FirstTrace(joined, OnlineFigures.Qps).Y.Count);
    }
}
