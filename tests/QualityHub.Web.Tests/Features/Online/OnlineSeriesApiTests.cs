using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QualityHub.Core.Metrics;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>GET /api/online/series: per-minute and per-hour points and totals from the aggregates equal the events sent.</summary>
public sealed class OnlineSeriesApiTests(OnlineFactory factory) : IClassFixture<OnlineFactory>
{
    private readonly HttpClient client = factory.CreateClient();

    // Two hours of known events: release 1 from 10:00, release 2 from 11:00 (its marker), latencies 1..400 ms.
    private static readonly DateTimeOffset Start = new(2026, 11, 10, 10, 0, 0, TimeSpan.Zero);

    private static List<(string Id, string Release, DateTimeOffset At, double Latency, bool Corrected)> Known()
    {
        var events = new List<(string, string, DateTimeOffset, double, bool)>();
        for (var i = 0; i < 1200; i++)
        {
            var release = i < 600 ? OnlineFactory.First : OnlineFactory.Second;
            events.Add(($"series-{i}", release, Start.AddSeconds(i * 6), 1 + i % 400, i % 10 == 0 || (release == OnlineFactory.Second && i % 10 == 1)));
        }

        return events;
    }

    private async Task<JsonElement> SeriesAsync(string query)
    {
        var response = await client.GetAsync($"/api/online/series?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task PostKnownAsync()
    {
        var response = await PostAsync(client, Known().Select(e => Event(e.Id, e.Release, OnlineFactory.Recognizer, e.At, e.Latency, e.Corrected)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Minute_and_hour_series_count_correct_and_time_the_events_sent()
    {
        await PostKnownAsync();
        var known = Known();
        var range = $"module={OnlineFactory.Recognizer}&from=2026-11-10T10:00:00Z&to=2026-11-10T12:00:00Z";

        var minutes = await SeriesAsync(range);
        Assert.Equal("minute", minutes.GetProperty("resolution").GetString()); // two hours: per minute by default
        var releases = minutes.GetProperty("releases").EnumerateArray().ToList();
        Assert.Equal([OnlineFactory.First, OnlineFactory.Second], releases.Select(r => r.GetProperty("release").GetString()));
        Assert.Equal(Start, releases[0].GetProperty("firstEventAt").GetDateTimeOffset());
        Assert.Equal(Start.AddHours(1), releases[1].GetProperty("firstEventAt").GetDateTimeOffset());

        var first = releases[0].GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(60, first.Count);
        var minute0 = known.Where(e => e.At < Start.AddMinutes(1)).ToList();
        Assert.Equal(Start, first[0].GetProperty("t").GetDateTimeOffset());
        Assert.Equal(minute0.Count, first[0].GetProperty("count").GetInt64());
        Assert.Equal(minute0.Count / 60.0, first[0].GetProperty("qps").GetDouble(), 12);
        Assert.Equal((double)minute0.Count(e => e.Corrected) / minute0.Count, first[0].GetProperty("correctionRate").GetDouble(), 12);
        Assert.Equal(LatencyHistogram.Percentile(LatencyHistogram.Of(minute0.Select(e => e.Latency)), 95), first[0].GetProperty("p95").GetDouble());

        var hours = await SeriesAsync(range + "&resolution=hour");
        Assert.Equal(3600, hours.GetProperty("bucketSeconds").GetInt32());
        foreach (var (release, index) in new[] { (OnlineFactory.First, 0), (OnlineFactory.Second, 1) })
        {
            var own = known.Where(e => e.Release == release).ToList();
            var series = hours.GetProperty("releases")[index];
            var point = Assert.Single(series.GetProperty("points").EnumerateArray());
            Assert.Equal(own.Count, point.GetProperty("count").GetInt64());
            Assert.Equal(own.Average(e => e.Latency), point.GetProperty("meanMs").GetDouble(), 9);

            // Totals over the range come from the summed histograms: within the documented bound of the exact values.
            var totals = series.GetProperty("totals");
            Assert.Equal((double)own.Count(e => e.Corrected) / own.Count, totals.GetProperty("correctionRate").GetDouble(), 12);
            var sorted = own.Select(e => e.Latency).Order().ToArray();
            foreach (var (name, p) in new[] { ("p50", 50.0), ("p95", 95.0), ("p99", 99.0) })
            {
                var exact = sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];
                var estimate = totals.GetProperty(name).GetDouble();
                Assert.True(Math.Abs(estimate / exact - 1) <= LatencyHistogram.RelativeErrorBound, $"{release} {name}: {estimate} vs {exact}");
            }
        }

        // One release only; the minute series of the whole range equals the hour series in total.
        var second = await SeriesAsync(range + $"&release={OnlineFactory.Second}");
        var only = Assert.Single(second.GetProperty("releases").EnumerateArray());
        Assert.Equal(600, only.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("count").GetInt64()));
    }

    [Fact]
    public async Task Points_sum_several_rows_when_the_range_holds_more_than_maxPoints()
    {
        await PostKnownAsync(); // idempotent: the second test to post them stores nothing new
        var known = Known().Where(e => e.Release == OnlineFactory.First).ToList();
        var series = await SeriesAsync($"module={OnlineFactory.Recognizer}&release={OnlineFactory.First}&from=2026-11-10T10:00:00Z&to=2026-11-10T12:00:00Z&maxPoints=12");
        Assert.Equal(60, series.GetProperty("bucketSeconds").GetInt32());
        Assert.Equal(600, series.GetProperty("stepSeconds").GetInt32()); // 120 minutes in at most 12 points
        var points = series.GetProperty("releases")[0].GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(6, points.Count); // the first release's hour
        var first = known.Where(e => e.At < Start.AddMinutes(10)).ToList();
        Assert.Equal(first.Count, points[0].GetProperty("count").GetInt64());
        Assert.Equal(first.Count / 600.0, points[0].GetProperty("qps").GetDouble(), 12);
        Assert.Equal(LatencyHistogram.Percentile(LatencyHistogram.Of(first.Select(e => e.Latency)), 99), points[0].GetProperty("p99").GetDouble());
        Assert.Equal(Start.AddMinutes(50), points[^1].GetProperty("t").GetDateTimeOffset());
    }

    [Fact]
    public async Task Long_ranges_are_drawn_per_hour_and_an_empty_range_has_no_releases()
    {
        var week = await SeriesAsync($"module={factory.ModuleIds[OnlineFactory.Classifier]}&from=2026-10-01T00:00:00Z&to=2026-10-08T00:00:00Z");
        Assert.Equal("hour", week.GetProperty("resolution").GetString());
        Assert.Empty(week.GetProperty("releases").EnumerateArray());
    }

    [Theory]
    [InlineData("", 400, "module")]
    [InlineData("module=no-such-module", 404, "module")]
    [InlineData("module=online-recognizer&release=no-such-release", 404, "release")]
    [InlineData("module=online-recognizer&resolution=second", 400, "resolution")]
    [InlineData("module=online-recognizer&maxPoints=0", 400, "maxPoints")]
    [InlineData("module=online-recognizer&from=2026-11-10T12:00:00Z&to=2026-11-10T10:00:00Z", 400, "from")]
    [InlineData("module=online-recognizer&from=2026-01-01T00:00:00Z&to=2026-11-10T10:00:00Z&resolution=minute", 400, "resolution")]
    public async Task Bad_queries_are_problem_details_naming_the_parameter(string query, int status, string field)
    {
        var response = await client.GetAsync($"/api/online/series?{query}");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unreadable_date_is_a_400()
    {
        var response = await client.GetAsync("/api/online/series?module=online-recognizer&from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
