using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>GET /api/online/alerts: a metric strictly over its module's threshold in the last hour alerts, at the threshold it does not.</summary>
public sealed class OnlineAlertsApiTests(OnlineFactory factory) : IClassFixture<OnlineFactory>
{
    private readonly HttpClient client = factory.CreateClient();
    private int next;

    private async Task SendAsync(string module, int count, Func<int, double> latency, Func<int, bool> corrected, TimeSpan? ago = null)
    {
        var at = DateTimeOffset.UtcNow - (ago ?? TimeSpan.FromMinutes(2));
        var events = Enumerable.Range(0, count).Select(i => Event($"alert-{module}-{next++}", OnlineFactory.First, module, at, latency(i), corrected(i))).ToList();
        (await PostAsync(client, events)).EnsureSuccessStatusCode();
    }

    private async Task<(JsonElement Check, List<JsonElement> Alerts)> CheckAsync(string module)
    {
        var report = await client.GetFromJsonAsync<JsonElement>("/api/online/alerts");
        var check = report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("module").GetString() == module);
        var alerts = report.GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("module").GetString() == module).ToList();
        return (check, alerts);
    }

    [Fact]
    public async Task A_correction_rate_at_the_threshold_does_not_alert_and_just_above_it_does()
    {
        // Events from before the window do not count.
        await SendAsync(OnlineFactory.AlertRate, 50, _ => 5, _ => true, ago: TimeSpan.FromMinutes(90));
        await SendAsync(OnlineFactory.AlertRate, 100, _ => 5, i => i < 20); // exactly 20 %
        var (check, alerts) = await CheckAsync(OnlineFactory.AlertRate);
        Assert.Equal(100, check.GetProperty("events").GetInt64());
        Assert.Equal(0.2, check.GetProperty("correctionRate").GetDouble(), 12);
        Assert.Equal(0.2, check.GetProperty("maxCorrectionRate").GetDouble());
        Assert.Empty(alerts);

        await SendAsync(OnlineFactory.AlertRate, 1, _ => 5, _ => true); // 21 of 101
        (check, alerts) = await CheckAsync(OnlineFactory.AlertRate);
        var alert = Assert.Single(alerts);
        Assert.Equal("correction rate", alert.GetProperty("metric").GetString());
        Assert.Equal(21.0 / 101, alert.GetProperty("value").GetDouble(), 12);
        Assert.Equal(OnlineFactory.First, alert.GetProperty("release").GetString());

        var url = alert.GetProperty("ticketUrl").GetString()!;
        Assert.StartsWith($"/tickets/new?moduleId={factory.ModuleIds[OnlineFactory.AlertRate]}&title=", url);
        Assert.EndsWith("&severity=High", url);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x" + url).Query);
        Assert.Equal(alert.GetProperty("title").GetString(), query["title"]);
        Assert.Contains("20.8 %", query["description"].ToString());
        Assert.DoesNotContain(' ', url); // encoded
    }

    [Fact]
    public async Task A_p95_latency_over_the_threshold_alerts_and_one_at_the_fast_side_does_not()
    {
        // 100 events, 95 at 50 ms: the 95th-ranked latency is 50 ms, under the 100 ms threshold.
        await SendAsync(OnlineFactory.AlertLatency, 100, i => i < 95 ? 50 : 500, _ => false);
        var (check, alerts) = await CheckAsync(OnlineFactory.AlertLatency);
        Assert.InRange(check.GetProperty("p95LatencyMs").GetDouble(), 45, 56);
        Assert.Empty(alerts);

        // Two more slow ones: 95 of 102 at 50 ms puts the 97th-ranked (p95) at 500 ms.
        await SendAsync(OnlineFactory.AlertLatency, 2, _ => 500, _ => false);
        (_, alerts) = await CheckAsync(OnlineFactory.AlertLatency);
        var alert = Assert.Single(alerts);
        Assert.Equal("p95 latency", alert.GetProperty("metric").GetString());
        Assert.Equal(100, alert.GetProperty("threshold").GetDouble());
        Assert.InRange(alert.GetProperty("value").GetDouble(), 450, 560);
    }

    [Fact]
    public async Task A_modules_requirement_sets_its_online_p95_limit_over_the_configured_threshold()
    {
        // 40 ms is well under the configured default (250 ms), but over the 30 ms the module's requirement states.
        await SendAsync(OnlineFactory.Recognizer, 40, _ => 40, _ => false);
        var (_, before) = await CheckAsync(OnlineFactory.Recognizer);
        Assert.Empty(before);

        var requirement = await client.PostAsJsonAsync($"/api/modules/{factory.ModuleIds[OnlineFactory.Recognizer]}/requirements",
            new { onlineP95Ms = 30, rationale = "Capture to screen must feel instant." });
        Assert.Equal(System.Net.HttpStatusCode.Created, requirement.StatusCode);

        var (check, alerts) = await CheckAsync(OnlineFactory.Recognizer);
        var alert = Assert.Single(alerts);
        Assert.Equal("p95 latency", alert.GetProperty("metric").GetString());
        Assert.Equal(30, alert.GetProperty("threshold").GetDouble());
        Assert.Equal(30, check.GetProperty("maxP95LatencyMs").GetDouble());
        Assert.Contains("requirement v1: online p95 ≤ 30 ms", alert.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Too_few_events_do_not_alert_however_bad()
    {
        await SendAsync(OnlineFactory.Classifier, 9, _ => 40_000, _ => true);
        var (check, alerts) = await CheckAsync(OnlineFactory.Classifier);
        Assert.False(check.GetProperty("enough").GetBoolean());
        Assert.Empty(alerts);

        await SendAsync(OnlineFactory.Classifier, 1, _ => 40_000, _ => true);
        (_, alerts) = await CheckAsync(OnlineFactory.Classifier);
        Assert.Equal(["correction rate"], alerts.Select(a => a.GetProperty("metric").GetString())); // 100 % > the default 90 %; 40 s is under 50 s
    }

    [Fact]
    public async Task An_alert_on_events_of_a_superseded_release_names_the_release_that_replaced_it()
    {
        await SendAsync(OnlineFactory.AlertSuperseded, 60, _ => 900, _ => false);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            await db.Releases.Where(r => r.Name == OnlineFactory.First).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReleaseStatus.Superseded));
            await db.Releases.Where(r => r.Name == OnlineFactory.Second).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReleaseStatus.Current));
        }

        try
        {
            var alert = (await CheckAsync(OnlineFactory.AlertSuperseded)).Alerts.Single(a => a.GetProperty("metric").GetString() == "p95 latency");

            Assert.Equal((OnlineFactory.First, OnlineFactory.Second), (alert.GetProperty("release").GetString(), alert.GetProperty("supersededBy").GetString()));
            Assert.EndsWith($"in {OnlineFactory.First} (superseded by {OnlineFactory.Second})", alert.GetProperty("title").GetString());
            Assert.Contains("clients still on it", alert.GetProperty("description").GetString());
        }
        finally
        {
            await using var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
            await db.Releases.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReleaseStatus.Draft));
        }
    }
}
