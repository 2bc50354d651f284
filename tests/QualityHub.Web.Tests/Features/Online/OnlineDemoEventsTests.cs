using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QualityHub.Core.Metrics;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>The synthetic demo stream: the same events from the same seed, modest in size, labelled, and with its incident.</summary>
public sealed class OnlineDemoEventsTests
{
    private static readonly DateTimeOffset End = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_stream_is_the_same_every_time_labelled_and_modest()
    {
        var first = OnlineDemoEvents.Stream(End, End - OnlineDemoEvents.RolloutBeforeLoad, 1, 2, 10, 11).ToList();
        var second = OnlineDemoEvents.Stream(End, End - OnlineDemoEvents.RolloutBeforeLoad, 1, 2, 10, 11).ToList();

        Assert.Equal(first, second);
        Assert.InRange(first.Count, 20_000, 50_000);
        Assert.All(first, e => Assert.StartsWith(OnlineMetrics.DemoEventPrefix, e.EventId));
        Assert.Equal(first.Count, first.Select(e => e.EventId).Distinct().Count());
        Assert.All(first, e => Assert.InRange(e.Timestamp, End.AddDays(-7), End));
        Assert.All(first, e => Assert.True(e.LatencyMs >= 0 && double.IsFinite(e.LatencyMs)));
    }

    [Fact]
    public void Traffic_moves_to_the_new_release_and_the_recogniser_slows_down_in_the_last_90_minutes()
    {
        var events = OnlineDemoEvents.Stream(End, End - OnlineDemoEvents.RolloutBeforeLoad, 1, 2, 10, 11).ToList();
        Assert.All(events.Where(e => e.Timestamp < End.AddDays(-4)), e => Assert.Equal(10, e.ReleaseId));
        Assert.All(events.Where(e => e.Timestamp >= End.AddDays(-4).AddHours(6)), e => Assert.Equal(11, e.ReleaseId));

        double Rate(int release) => events.Where(e => e.ModuleId == 1 && e.ReleaseId == release).Average(e => e.Corrected ? 1.0 : 0.0);
        Assert.InRange(Rate(10), 0.14, 0.18);
        Assert.InRange(Rate(11), 0.09, 0.12);

        double P95(IEnumerable<OnlineEventRowView> rows) => LatencyHistogram.Percentile(LatencyHistogram.Of(rows.Select(r => r.LatencyMs)), 95)!.Value;
        var recogniser = events.Where(e => e.ModuleId == 2).Select(e => new OnlineEventRowView(e.Timestamp, e.LatencyMs)).ToList();
        Assert.InRange(P95(recogniser.Where(e => e.At < End.AddMinutes(-90))), 120, 180);
        Assert.True(P95(recogniser.Where(e => e.At >= End.AddMinutes(-60))) > 250, "the demo incident breaches the default 250 ms alert threshold");
    }

    private sealed record OnlineEventRowView(DateTimeOffset At, double LatencyMs);
}

/// <summary>The demo's releases and its online events tell one story: each release's traffic starts once it is approved.</summary>
public sealed class OnlineDemoHistoryTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>
{
    [Fact]
    public async Task Each_demo_release_is_approved_before_its_traffic_and_the_new_one_takes_over_within_six_hours()
    {
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        await factory.Services.GetServices<IHostedService>().OfType<OnlineDemoEvents>().Single().Completion;
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var releases = await db.Releases.ToDictionaryAsync(r => r.Name);
        var firstEvents = await db.OnlineEvents.GroupBy(e => e.ReleaseId).Select(g => new { Release = g.Key, First = g.Min(e => e.Timestamp) }).ToDictionaryAsync(g => g.Release, g => g.First);

        var (september, october) = (releases["2026.09"], releases["2026.10"]);
        Assert.True(september.ApprovedAt < firstEvents[september.Id], "2026.09 serves only after its approval");
        Assert.InRange(firstEvents[october.Id], october.ApprovedAt!.Value, october.ApprovedAt.Value.AddHours(6));
        Assert.InRange(DateTimeOffset.UtcNow - october.ApprovedAt.Value, OnlineDemoEvents.RolloutBeforeLoad - TimeSpan.FromMinutes(10), OnlineDemoEvents.RolloutBeforeLoad + TimeSpan.FromHours(1));
    }
}
