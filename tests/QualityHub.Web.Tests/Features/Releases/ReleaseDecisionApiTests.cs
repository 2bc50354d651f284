using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Releases;

/// <summary>The release decision: the checklist, refusals that change nothing, one approval winning a race, notes and the production history.</summary>
public sealed class ReleaseDecisionApiTests(EvaluatedDemoQualityHubFactory factory) : EvaluatedDemoTests(factory)
{
    private async Task<int> DraftAsync(string name, params string[] versions)
    {
        var response = await Client.PostAsJsonAsync("/api/releases", new { name, rationale = "CNN for the shop", modelVersionIds = versions.Select(VersionId).ToArray() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ApproveAsync(int id, object body)
    {
        var response = await Client.PostAsJsonAsync($"/api/releases/{id}/approve", body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<List<JsonElement>> HistoryAsync() => (await Client.GetFromJsonAsync<JsonElement>("/api/production-history")).EnumerateArray().ToList();

    [Fact]
    public async Task The_demo_history_says_which_version_served_each_module_when()
    {
        var history = await HistoryAsync();
        var fashion = history.Where(p => p.GetProperty("module").GetString() == DemoContentLoader.FashionModule).OrderBy(p => p.GetProperty("from").GetDateTimeOffset()).ToList();

        Assert.True(fashion.Count >= 2);
        Assert.Equal(("fashion-linear-v1", "2026.09"), (fashion[0].GetProperty("version").GetString(), fashion[0].GetProperty("release").GetString()));
        Assert.Equal(fashion[1].GetProperty("from").GetDateTimeOffset(), fashion[0].GetProperty("to").GetDateTimeOffset());
        Assert.Equal(("fashion-mlp-v1", "2026.10"), (fashion[1].GetProperty("version").GetString(), fashion[1].GetProperty("release").GetString()));
    }

    [Fact]
    public async Task A_release_is_approved_once_only_when_its_checklist_is_met_and_refusals_change_nothing()
    {
        var partial = await DraftAsync("2026.12-cnn-only", "fashion-cnn-v1");
        var draft = await DraftAsync("2026.12", "fashion-cnn-v1", "pp-ocrv4-rec");
        var (fashion, cardText) = (ModuleOf("fashion-cnn-v1"), ModuleOf("pp-ocrv4-rec"));
        var historyBefore = (await HistoryAsync()).Count;

        // Neither module has a requirement yet: both items are open until waived.
        var checklist = await Client.GetFromJsonAsync<JsonElement>($"/api/releases/{draft}/checklist");
        Assert.False(checklist.GetProperty("ready").GetBoolean());
        Assert.Equal(2, checklist.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("requirement").GetString() == "Requirement"));

        var missing = await ApproveAsync(partial, new { signOff = true, waivers = new[] { new { moduleId = fashion, requirement = "Requirement", reason = "first of its kind" } } });
        Assert.True((HttpStatusCode)422 == missing.Status, missing.Body.ToString());
        Assert.Contains($"no version of module {DemoContentLoader.CardTextModule}", missing.Body.GetProperty("detail").GetString());

        var waivers = new[]
        {
            new { moduleId = fashion, requirement = "Requirement", reason = "The planner's targets arrive next sprint." },
            new { moduleId = cardText, requirement = "Requirement", reason = "Unchanged OCR model." },
        };
        Assert.Contains("waived", (await ApproveAsync(draft, new { signOff = true })).Body.GetProperty("detail").GetString());
        var unsigned = (await ApproveAsync(draft, new { signOff = false, waivers })).Body;
        Assert.Contains("signOff", unsigned.GetProperty("detail").GetString());
        Assert.Equal("signOff", unsigned.GetProperty("field").GetString());
        var reasonless = (await ApproveAsync(draft, new { signOff = true, waivers = new[] { new { moduleId = fashion, requirement = "Requirement", reason = " " } } })).Body;
        Assert.Contains("waivers[0]", reasonless.GetProperty("detail").GetString());
        Assert.Equal("waivers[0]", reasonless.GetProperty("field").GetString());
        Assert.Contains("not an unmet", (await ApproveAsync(draft, new { signOff = true, waivers = new[] { new { moduleId = fashion, requirement = "Accuracy", reason = "x" } } })).Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await ApproveAsync(99999, new { signOff = true })).Status);

        // An open blocker ticket on the module cannot be waived.
        int ticketId;
        await using (var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            var ticket = new VocTicket { Title = "Shirts shown as T-shirts", ModuleId = fashion, Severity = TicketSeverity.Blocker, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            db.VocTickets.Add(ticket);
            await db.SaveChangesAsync();
            ticketId = ticket.Id;
        }

        var blocked = await ApproveAsync(draft, new { signOff = true, waivers });
        Assert.Equal((HttpStatusCode)422, blocked.Status);
        Assert.Contains("Open blocker tickets: fails (cannot be waived)", blocked.Body.GetProperty("detail").GetString());
        await using (var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(ReleaseStatus.Draft, (await db.Releases.SingleAsync(r => r.Id == draft)).Status);
            Assert.Equal(historyBefore, await db.ProductionHistory.CountAsync());
            Assert.Equal(0, await db.ReleaseWaivers.CountAsync());
            // Fixed in this release and closed: it no longer blocks, and the notes list it.
            await db.VocTickets.Where(t => t.Id == ticketId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TicketStatus.Closed).SetProperty(t => t.FixedInReleaseId, draft));
        }

        // Two approvals at once: one makes it current, the other is told it lost.
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ApproveAsync(draft, new { approvedBy = "Quinn Manager", signOff = true, waivers })));
        Assert.Equal(1, racing.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(3, racing.Count(r => r.Status == HttpStatusCode.Conflict));
        Assert.Equal(HttpStatusCode.Conflict, (await ApproveAsync(draft, new { signOff = true, waivers })).Status);

        var releases = (await Client.GetFromJsonAsync<JsonElement>("/api/releases")).EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal("Current", releases["2026.12"].GetProperty("status").GetString());
        Assert.Equal("Superseded", releases["2026.10"].GetProperty("status").GetString());
        Assert.Single(releases.Values, r => r.GetProperty("status").GetString() == "Current");
        var history = await HistoryAsync();
        Assert.Equal(historyBefore + 2, history.Count);
        var now = history.Where(p => p.GetProperty("to").ValueKind == JsonValueKind.Null).ToDictionary(p => p.GetProperty("module").GetString()!, p => p.GetProperty("version").GetString());
        Assert.Equal("fashion-cnn-v1", now[DemoContentLoader.FashionModule]);
        Assert.Equal("pp-ocrv4-rec", now[DemoContentLoader.CardTextModule]);

        // Status follows the release: its versions are released, the one it replaced superseded; the audit log says so with real ids.
        var statuses = (await Client.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("status").GetString());
        Assert.Equal(("Released", "Superseded", "Released"), (statuses["fashion-cnn-v1"], statuses["fashion-mlp-v1"], statuses["pp-ocrv4-rec"]));
        var demoted = await Client.PutAsJsonAsync($"/api/models/{VersionId("fashion-cnn-v1")}/status", new { status = "Candidate" });
        Assert.Equal((HttpStatusCode)422, demoted.StatusCode); // in production until a release replaces it
        Assert.Contains("is in production", await demoted.Content.ReadAsStringAsync());
        var audit = (await Client.GetFromJsonAsync<JsonElement>("/api/admin/audit?take=500")).GetProperty("items").EnumerateArray()
            .Select(e => (Action: e.GetProperty("action").GetString(), Target: e.GetProperty("target").GetString(), Details: e.GetProperty("details").GetString())).ToList();
        Assert.Contains(audit, e => e.Action == "approved Release" && e.Target == $"Release {draft}" && e.Details!.Contains("approved by api key QUALITYHUB_API_KEY", StringComparison.Ordinal));
        var october = releases["2026.10"].GetProperty("id").GetInt32();
        Assert.Contains(audit, e => e.Action == "superseded Release" && e.Target == $"Release {october}");
        Assert.Contains(audit, e => e.Action == "changed ModelVersion" && e.Details!.Contains("Superseded", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Action == "added ProductionPeriod");
        Assert.DoesNotContain(audit, e => e.Target!.Contains("-214", StringComparison.Ordinal) || e.Details!.Contains("-214", StringComparison.Ordinal));

        var notes = await Client.GetFromJsonAsync<JsonElement>($"/api/releases/{draft}/notes");
        Assert.True(notes.GetProperty("stored").GetBoolean());
        var text = notes.GetProperty("notes").GetString()!;
        // The approver is the caller's sign-in (here the admin API key); a typed name is ignored.
        Assert.Contains("Approved by api key QUALITYHUB_API_KEY", text);
        Assert.DoesNotContain("Quinn", text);
        Assert.Equal("api key QUALITYHUB_API_KEY", releases["2026.12"].GetProperty("approvedBy").GetString());
        Assert.Contains("fashion-cnn-v1", text);
        Assert.Contains("replaces fashion-mlp-v1 (2026.10)", text);
        Assert.Contains("The planner's targets arrive next sprint.", text);
        Assert.Contains($"## Tickets fixed\n- #{ticketId} Shirts shown as T-shirts (blocker, closed)", text);
        Assert.Equal("Released", (await Client.GetFromJsonAsync<JsonElement>($"/api/models/{VersionId("fashion-cnn-v1")}")).GetProperty("summary").GetProperty("status").GetString());
    }
}
