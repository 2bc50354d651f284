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
    public async Task The_events_that_arrive_without_sharpness_break_the_missing_rule_in_their_last_hours_and_nothing_before()
    {
        var rules = await JsonAsync(await Client.GetAsync($"/api/modules/{await FashionIdAsync()}/data-rules"));
        Assert.Equal(10, rules.GetProperty("labels").GetArrayLength()); // the demo set its rules from the test set
        Assert.Equal(0.01, rules.GetProperty("maxMissingShare").GetProperty("blur").GetDouble());

        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var last = (await db.OnlineEvents.Select(e => e.Timestamp).ToListAsync()).Max();
        var end = new DateTimeOffset(last.UtcTicks - last.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(1);
        async Task<JsonElement> ViolationsAsync(DateTimeOffset from, DateTimeOffset to) => await JsonAsync(await Client.GetAsync(
            $"/api/online/drift?module={DemoContentLoader.FashionModule}&release=2026.10&step=day&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}"));

        // The last whole hours of the stretch without sharpness: about 5 % of events lack it, above the 1 % allowed.
        var lacking = await ViolationsAsync(end - OnlineDemoEvents.MissingBlurFor + TimeSpan.FromHours(1), end);
        var blur = lacking.GetProperty("violations").EnumerateArray().Single(v => v.GetProperty("key").GetString() == "missing:blur");
        Assert.Equal("alert", blur.GetProperty("status").GetString());
        Assert.InRange(blur.GetProperty("share").GetDouble(), 0.02, 0.09);
        Assert.NotEmpty(blur.GetProperty("examples").EnumerateArray());
        Assert.Contains(lacking.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("measures")[0].GetString() == "rule:missing:blur");
        // No other rule alerts: the darker inputs are drift; a few of them fall below the test set's darkest, far under 1 %.
        Assert.All(lacking.GetProperty("violations").EnumerateArray().Where(v => v.GetProperty("key").GetString() != "missing:blur"),
            v => Assert.NotEqual("alert", v.GetProperty("status").GetString()));

        // Before the drift episode, on inputs drawn from the test set, every rule holds.
        var before = await ViolationsAsync(end - OnlineDemoEvents.DriftEpisode - TimeSpan.FromHours(25), end - OnlineDemoEvents.DriftEpisode - TimeSpan.FromHours(1));
        Assert.NotEmpty(before.GetProperty("violations").EnumerateArray());
        Assert.All(before.GetProperty("violations").EnumerateArray(), v => Assert.Equal(0, v.GetProperty("violations").GetInt64()));
    }

    [Fact]
    public async Task The_overview_lists_the_modules_drift_alerts_linked_to_the_drift_page_and_a_modeler_requests_retraining_from_one()
    {
        SignInAs(QualityHubRoles.Modeler);
        Render<MudPopoverProvider>();
        var panel = Render<DriftAlertsPanel>();

        panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll(".qh-drift-overview-alert")), EvaluationsDone);
        var alerted = panel.FindAll(".qh-drift-overview-alert").Select(a => (a.GetAttribute("data-module"), a.GetAttribute("data-descriptor"))).ToList();
        Assert.Contains((DemoContentLoader.FashionModule, "brightness"), alerted);
        Assert.Contains((DemoContentLoader.FashionModule, "blur"), alerted);
        Assert.Equal($"drift?module={DemoContentLoader.FashionModule}&release=2026.10&range=7d", panel.Find($".qh-drift-page-link[data-module='{DemoContentLoader.FashionModule}']").GetAttribute("href"));
        var fashion = $".qh-drift-overview-alert[data-module='{DemoContentLoader.FashionModule}']";
        Assert.StartsWith("tickets/new?moduleId=", panel.Find($"{fashion} .qh-open-ticket").GetAttribute("href"));

        var before = (await JsonAsync(await Client.GetAsync($"/api/retraining-requests?module={DemoContentLoader.FashionModule}"))).GetArrayLength();
        await panel.InvokeAsync(() => panel.Find($"{fashion} .qh-request-retraining").Click());
        var requests = await JsonAsync(await Client.GetAsync($"/api/retraining-requests?module={DemoContentLoader.FashionModule}"));
        Assert.Equal(before + 1, requests.GetArrayLength());
        Assert.Equal("drift", requests[0].GetProperty("trigger").GetString());
    }

    [Fact]
    public async Task A_planner_fills_the_rules_from_the_test_set_and_saves_them_and_half_a_range_is_refused()
    {
        var url = $"/api/modules/{await FashionIdAsync()}/data-rules";
        var stored = await (await Client.GetAsync(url)).Content.ReadAsStringAsync();
        SignInAs(QualityHubRoles.Planner);
        Render<MudPopoverProvider>();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"drift?module={DemoContentLoader.FashionModule}");
        var page = Render<DriftPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".qh-violations tr[data-rule]")), EvaluationsDone);

        await page.InvokeAsync(() => page.Find(".qh-rules-suggest").Click());
        page.WaitForAssertion(() => Assert.Contains("Sneaker", page.Find("textarea[name=rules-labels]").GetAttribute("value") ?? page.Find("textarea[name=rules-labels]").TextContent));
        await page.InvokeAsync(() => page.Find(".qh-rules-save").Click());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".qh-rules-problem")));
        Assert.Equal(stored, await (await Client.GetAsync(url)).Content.ReadAsStringAsync()); // the demo's rules are the test set's: saved again, the same

        page.Find("input[name=max-confidence]").Change("0.5");
        await page.InvokeAsync(() => page.Find(".qh-rules-save").Click());
        page.WaitForAssertion(() => Assert.Contains("Confidence: give both a minimum and a maximum", page.Find(".qh-rules-problem").TextContent));
        Assert.Equal(stored, await (await Client.GetAsync(url)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_demo_test_set_was_checked_against_the_rules_drawn_from_it_and_a_planner_checks_it_again()
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var fashion = await FashionIdAsync();
        var dataset = await db.Datasets.Where(d => d.ModuleId == fashion && d.Split == Core.Domain.DatasetSplit.Test).Select(d => d.Id).FirstAsync();
        var stored = await JsonAsync(await Client.GetAsync($"/api/datasets/{dataset}/validation"));
        Assert.True(stored.GetProperty("samples").GetInt32() > 0);
        Assert.Equal(stored.GetProperty("samples").GetInt32(), stored.GetProperty("described").GetInt32());
        Assert.All(stored.GetProperty("rules").EnumerateArray(), r => Assert.Equal(0, r.GetProperty("violations").GetInt64())); // its own rules hold on it
        Assert.Contains(stored.GetProperty("rules").EnumerateArray(), r => r.GetProperty("key").GetString()!.StartsWith("label:truth:", StringComparison.Ordinal));

        SignInAs(QualityHubRoles.Planner);
        var panel = Render<QualityHub.Web.Features.Datasets.DatasetValidationPanel>(p => p.Add(c => c.DatasetId, dataset).Add(c => c.Module, DemoContentLoader.FashionModule));
        panel.WaitForAssertion(() => Assert.Equal("ok", panel.Find(".qh-dataset-validation").GetAttribute("data-status")));
        Assert.Equal(stored.GetProperty("rules").GetArrayLength(), panel.FindAll(".qh-dataset-rules tr[data-rule]").Count);
        await panel.InvokeAsync(() => panel.Find(".qh-validate-dataset").Click());
        panel.WaitForAssertion(() => Assert.Equal("ok", panel.Find(".qh-dataset-validation").GetAttribute("data-status")));
        var again = await JsonAsync(await Client.GetAsync($"/api/datasets/{dataset}/validation"));
        Assert.True(again.GetProperty("checkedAt").GetDateTimeOffset() >= stored.GetProperty("checkedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_viewer_sees_a_datasets_check_but_cannot_run_one()
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var fashion = await FashionIdAsync();
        var dataset = await db.Datasets.Where(d => d.ModuleId == fashion && d.Split == Core.Domain.DatasetSplit.Test).Select(d => d.Id).FirstAsync();
        SignInAs(QualityHubRoles.Viewer);
        var viewed = Render<QualityHub.Web.Features.Datasets.DatasetValidationPanel>(p => p.Add(c => c.DatasetId, dataset).Add(c => c.Module, DemoContentLoader.FashionModule));
        viewed.WaitForAssertion(() => Assert.NotEmpty(viewed.FindAll(".qh-dataset-rules tr[data-rule]")));
        Assert.Empty(viewed.FindAll(".qh-validate-dataset"));
    }

    private async Task<int> FashionIdAsync()
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        return await db.Modules.Where(m => m.Name == DemoContentLoader.FashionModule).Select(m => m.Id).SingleAsync();
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
