using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Releases;

/// <summary>/api/releases on a fresh install: the demo's release history measured by the first start's evaluations.</summary>
public sealed class ReleasesApiTests(EvaluatedDemoQualityHubFactory factory) : EvaluatedDemoTests(factory)
{
    private async Task<int> ReleaseCountAsync() => (await Client.GetFromJsonAsync<JsonElement>("/api/releases")).GetArrayLength();

    [Fact]
    public async Task The_demo_history_shows_each_release_with_its_metrics_and_the_change_from_the_one_before()
    {
        var releases = (await Client.GetFromJsonAsync<JsonElement>("/api/releases")).EnumerateArray().ToList();
        var september = releases.Single(r => r.GetProperty("name").GetString() == "2026.09");
        var october = releases.Single(r => r.GetProperty("name").GetString() == "2026.10");

        JsonElement Entry(JsonElement release, string module) =>
            release.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("module").GetString() == module);
        var before = Entry(september, DemoContentLoader.FashionModule);
        var after = Entry(october, DemoContentLoader.FashionModule);
        var headlineBefore = before.GetProperty("metrics").GetProperty("headline").GetProperty("value").GetDouble();
        var headlineAfter = after.GetProperty("metrics").GetProperty("headline").GetProperty("value").GetDouble();

        Assert.Equal(JsonValueKind.Null, before.GetProperty("change").ValueKind);
        Assert.Equal(TorchReference.Of("fashion-linear-v1").Correct / 2000.0, headlineBefore, precision: 12);
        Assert.Equal(TorchReference.Of("fashion-mlp-v1").Correct / 2000.0, headlineAfter, precision: 12);
        var change = after.GetProperty("change");
        Assert.Equal("fashion-linear-v1", change.GetProperty("previousVersion").GetString());
        Assert.Equal(headlineAfter - headlineBefore, change.GetProperty("headlineDelta").GetDouble(), precision: 12);
        Assert.True(change.GetProperty("significant").GetBoolean());
        Assert.Equal("real improvement in accuracy", change.GetProperty("verdict").GetString());
        var ocr = Entry(october, DemoContentLoader.CardTextModule).GetProperty("change");
        Assert.True(ocr.GetProperty("sameVersion").GetBoolean());
        Assert.Equal("unchanged", ocr.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task A_draft_release_is_created_and_read_back_with_its_entries()
    {
        var response = await Client.PostAsJsonAsync("/api/releases", new
        {
            name = "  2026.11-rc1  ",
            rationale = "CNN candidate",
            modelVersionIds = new[] { VersionId("fashion-cnn-v1"), VersionId("pp-ocrv4-rec") },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var release = await Client.GetFromJsonAsync<JsonElement>($"/api/releases/{id}");
        Assert.Equal("2026.11-rc1", release.GetProperty("name").GetString());
        Assert.Equal("Draft", release.GetProperty("status").GetString());
        var cnn = release.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("version").GetString() == "fashion-cnn-v1");
        Assert.Equal(TorchReference.Of("fashion-cnn-v1").Correct / 2000.0, cnn.GetProperty("metrics").GetProperty("headline").GetProperty("value").GetDouble(), precision: 12);
        Assert.Equal("fashion-mlp-v1", cnn.GetProperty("change").GetProperty("previousVersion").GetString());
    }

    [Fact]
    public async Task The_latest_completed_run_stands_for_an_entry_and_a_run_in_progress_does_not_replace_it()
    {
        var mlp = Runs.Single(r => r.GetProperty("version").GetString() == "fashion-mlp-v1");
        await using (var db = await Factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            db.EvaluationRuns.Add(new EvaluationRun
            {
                ModelVersionId = mlp.GetProperty("modelVersionId").GetInt32(),
                DatasetId = mlp.GetProperty("datasetId").GetInt32(),
                Status = RunStatus.Failed,
                Error = "test",
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var october = (await Client.GetFromJsonAsync<JsonElement>("/api/releases")).EnumerateArray().Single(r => r.GetProperty("name").GetString() == "2026.10");
        var entry = october.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("version").GetString() == "fashion-mlp-v1");

        Assert.Equal(mlp.GetProperty("id").GetInt32(), entry.GetProperty("metrics").GetProperty("runId").GetInt32());
    }

    [Fact]
    public async Task Bad_releases_are_refused_with_the_reason_and_nothing_is_written()
    {
        var before = await ReleaseCountAsync();
        async Task Expect(HttpStatusCode status, string fragment, object body)
        {
            var response = await Client.PostAsJsonAsync("/api/releases", body);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(fragment, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        await Expect(HttpStatusCode.BadRequest, "name of 1 to 200", new { name = "   ", modelVersionIds = new[] { VersionId("fashion-cnn-v1") } });
        var unnamed = await Client.PostAsJsonAsync("/api/releases", new { name = "", modelVersionIds = new[] { VersionId("fashion-cnn-v1") } });
        Assert.Equal("name", (await unnamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var versionless = await Client.PostAsJsonAsync("/api/releases", new { name = "versionless" });
        Assert.Equal("modelVersionIds", (await versionless.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        await Expect(HttpStatusCode.BadRequest, "name of 1 to 200", new { name = new string('x', 201), modelVersionIds = new[] { VersionId("fashion-cnn-v1") } });
        await Expect(HttpStatusCode.BadRequest, "at least one", new { name = "empty" });
        await Expect(HttpStatusCode.BadRequest, "once", new { name = "twice", modelVersionIds = new[] { VersionId("fashion-cnn-v1"), VersionId("fashion-cnn-v1") } });
        await Expect(HttpStatusCode.NotFound, "no model version 999", new { name = "ghost", modelVersionIds = new[] { 999 } });
        await Expect(HttpStatusCode.UnprocessableEntity, "one version per module", new { name = "two", modelVersionIds = new[] { VersionId("fashion-cnn-v1"), VersionId("fashion-mlp-v1") } });
        await Expect(HttpStatusCode.Conflict, "already a release named '2026.10'", new { name = "2026.10", modelVersionIds = new[] { VersionId("fashion-cnn-v1") } });
        var malformed = await Client.PostAsync("/api/releases", new StringContent("{\"name\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/releases/999")).StatusCode);

        Assert.Equal(before, await ReleaseCountAsync());
    }
}
