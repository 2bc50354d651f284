using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// Release approval across two portal processes on one PostgreSQL database: one approval of a release wins however
/// many instances race for it, and approvals of different releases at once leave exactly one release current with
/// one version in production per module.
/// </summary>
public sealed class ReleaseApprovalAcrossInstancesTests
{
    [Fact]
    public async Task Approvals_racing_on_two_instances_approve_each_release_once_and_leave_one_current()
    {
        using var team = await TeamDeployment.CreateAsync();
        var settings = team.Settings();
        await using var a = AppProcess.Start(environment: settings);
        await a.WaitUntilListeningAsync();
        await a.WaitForDemoContentAsync();
        await using var b = AppProcess.Start(environment: settings);
        await b.WaitUntilListeningAsync();
        using var onA = a.CreateHttpClient();
        using var onB = b.CreateHttpClient();
        var versions = (await onA.GetFromJsonAsync<JsonElement>("/api/models")).EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => (Id: v.GetProperty("id").GetInt32(), Module: v.GetProperty("moduleId").GetInt32()));

        // The same release approved three times on each instance at once: one approval, five refusals.
        var draft = await DraftAsync(onA, "race-same", versions["fashion-cnn-v1"].Id, versions["pp-ocrv4-rec"].Id);
        var body = Approval(versions["fashion-cnn-v1"].Module, versions["pp-ocrv4-rec"].Module);
        var same = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? onA : onB).PostAsJsonAsync($"/api/releases/{draft}/approve", body)));
        Assert.Equal(1, same.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, same.Count(r => r.StatusCode == HttpStatusCode.Conflict));

        // Different releases approved at once on the two instances, round after round: all are approved, one after
        // the other, and the last one alone is current.
        var fashion = new[] { "fashion-linear-v1", "fashion-mlp-v1", "fashion-cnn-v1", "fashion-linear-v1" };
        for (var round = 0; round < 8; round++)
        {
            var drafts = new List<(HttpClient Http, int Id)>();
            for (var i = 0; i < fashion.Length; i++)
            {
                var http = i % 2 == 0 ? onA : onB;
                drafts.Add((http, await DraftAsync(http, $"race-{round}-{i}", versions[fashion[i]].Id, versions["pp-ocrv4-rec"].Id)));
            }

            var approved = await Task.WhenAll(drafts.Select(d => d.Http.PostAsJsonAsync($"/api/releases/{d.Id}/approve", body)));
            Assert.All(approved, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

            var current = (await onB.GetFromJsonAsync<JsonElement>("/api/releases")).EnumerateArray().Where(r => r.GetProperty("status").GetString() == "Current").ToList();
            Assert.Single(current);
            Assert.Contains(current[0].GetProperty("id").GetInt32(), drafts.Select(d => d.Id));
        }

        // Production history: each module has exactly one open period, and it is the current release's.
        var open = (await onA.GetFromJsonAsync<JsonElement>("/api/production-history")).EnumerateArray().Where(p => p.GetProperty("to").ValueKind == JsonValueKind.Null).ToList();
        Assert.Equal(open.Count, open.Select(p => p.GetProperty("module").GetString()).Distinct().Count());
        Assert.Single(open.Select(p => p.GetProperty("release").GetString()).Distinct());
        Assert.Equal("1", (await team.Server.PsqlAsync(team.Database, "SELECT count(*) FROM \"Releases\" WHERE \"Status\" = 'Current';")).Trim());
    }

    private static object Approval(int fashionModule, int cardTextModule) => new
    {
        signOff = true,
        // No requirements in a fresh demo: the requirement items are waived, as a first release's are.
        waivers = new[]
        {
            new { moduleId = fashionModule, requirement = "Requirement", reason = "Targets arrive next sprint." },
            new { moduleId = cardTextModule, requirement = "Requirement", reason = "Unchanged OCR model." },
        },
    };

    private static async Task<int> DraftAsync(HttpClient http, string name, params int[] versionIds)
    {
        var response = await http.PostAsJsonAsync("/api/releases", new { name, rationale = "race test", modelVersionIds = versionIds });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }
}
