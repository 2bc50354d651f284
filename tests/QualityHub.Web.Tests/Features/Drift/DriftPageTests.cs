using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Drift;
using QualityHub.Web.Features.Online;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Drift;

/// <summary>
/// The demo's drift episode, on a fresh install whose demo models were evaluated: found in the right windows on the
/// right descriptors, and the undrifted days before it raise nothing — through the API and on the Drift page, where an
/// alert becomes a retraining request.
/// </summary>
public sealed class DriftPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    /// <summary>The demo stream waits for the demo's evaluations (it replays their answers): minutes on a busy machine.</summary>
    private static readonly TimeSpan EvaluationsDone = TimeSpan.FromMinutes(5);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Factory.Services.GetServices<IHostedService>().OfType<OnlineDemoEvents>().Single().Completion.WaitAsync(EvaluationsDone);
    }

    [Fact]
    public async Task The_darker_inputs_and_the_corrected_sneakers_are_found_after_the_episode_starts_and_nothing_before()
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var last = (await db.OnlineEvents.Select(e => e.Timestamp).ToListAsync()).Max();
        var end = new DateTimeOffset(last.UtcTicks - last.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        var episode = end - OnlineDemoEvents.DriftEpisode;
        var after = new DateTimeOffset(episode.UtcTicks - episode.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(1); // the first whole drifted hour
        var client = Client;
        async Task<JsonElement> ReportAsync(DateTimeOffset from, DateTimeOffset to) => await JsonAsync(await client.GetAsync(
            $"/api/online/drift?module={DemoContentLoader.FashionModule}&release=2026.10&step=day&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"));

        // Before: 2026.10 took all traffic 4 days before the end, 6 hours after its approval; the day before the episode is undrifted.
        var before = await ReportAsync(after.AddDays(-1).AddHours(-1), after.AddHours(-1));
        Assert.NotEqual(JsonValueKind.Null, before.GetProperty("reference").ValueKind);
        Assert.True(before.GetProperty("events").GetInt64() > 1000, before.GetProperty("events").ToString());
        Assert.Empty(before.GetProperty("alerts").EnumerateArray());
        Assert.All(before.GetProperty("measures").EnumerateArray(), m => Assert.NotEqual("alert", m.GetProperty("status").GetString()));

        var drifted = await ReportAsync(after, after.AddDays(1));
        string StatusOf(string measure) => drifted.GetProperty("measures").EnumerateArray().Single(m => m.GetProperty("name").GetString() == measure).GetProperty("status").GetString()!;
        Assert.Equal("alert", StatusOf("psi:brightness"));
        Assert.Equal("alert", StatusOf("ks:brightness"));
        Assert.Equal("alert", StatusOf("psi:contrast"));
        Assert.Equal("ok", StatusOf("psi:inputWidth")); // the size did not change
        Assert.Equal("ok", StatusOf("chi-square:label")); // nor what the model answers
        var top = drifted.GetProperty("topDrifting").EnumerateArray().Take(3).Select(d => d.GetProperty("descriptor").GetString()).Order().ToList();
        Assert.Equal(["blur", "brightness", "contrast"], top);
        var sneakers = drifted.GetProperty("correctionsByLabel").EnumerateArray().Single(r => r.GetProperty("key").GetString() == OnlineDemoEvents.EpisodeLabel);
        Assert.Equal("alert", sneakers.GetProperty("status").GetString());
        Assert.All(drifted.GetProperty("correctionsByLabel").EnumerateArray().Where(r => r.GetProperty("key").GetString() != OnlineDemoEvents.EpisodeLabel),
            r => Assert.NotEqual("alert", r.GetProperty("status").GetString()));
    }
    [Fact]
    public async Task The_page_shows_the_drifted_inputs_first_their_distribution_and_turns_an_alert_into_a_retraining_request()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"drift?module={DemoContentLoader.FashionModule}");
        var page = Render<DriftPage>();

        page.WaitForAssertion(() => Assert.Equal("2026.10", page.Find(".qh-drift").GetAttribute("data-release")), EvaluationsDone);
        var alerted = page.FindAll(".qh-drift-alert").Select(a => a.GetAttribute("data-descriptor")).ToList();
        Assert.Contains("brightness", alerted);
        Assert.Contains("contrast", alerted);
        Assert.Contains("label", alerted); // the corrected sneakers
        Assert.DoesNotContain("inputWidth", alerted);
        var rows = page.FindAll(".qh-drift-table tbody tr").Select(r => r.GetAttribute("data-descriptor")).ToList();
        Assert.Equal(["blur", "brightness", "contrast"], rows.Take(3).Order());
        Assert.Equal(rows[0], page.Find(".qh-drift-distribution").GetAttribute("data-descriptor")); // the most drifted, until a point is clicked

        await page.InvokeAsync(() => page.FindAll(".qh-request-retraining")[0].Click());

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".qh-retraining-table tr[data-request]")));
        var request = (await JsonAsync(await Client.GetAsync($"/api/retraining-requests?module={DemoContentLoader.FashionModule}"))).EnumerateArray().First();
        Assert.Equal("drift", request.GetProperty("trigger").GetString());
        Assert.True(request.GetProperty("windowEvents").GetInt64() > 1000);
        Assert.StartsWith(page.FindAll(".qh-drift-alert")[0].TextContent.Trim()[..20], request.GetProperty("reason").GetString());
    }

    [Fact]
    public void A_viewer_sees_the_alerts_but_cannot_request_retraining()
    {
        SignInAs(QualityHubRoles.Viewer);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"drift?module={DemoContentLoader.FashionModule}");
        var page = Render<DriftPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".qh-drift-alert")), EvaluationsDone);
        Assert.Empty(page.FindAll(".qh-request-retraining"));
        Assert.NotEmpty(page.FindAll(".qh-open-ticket"));
    }
}
