using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Features.Gallery;

/// <summary>
/// The error gallery API on the evaluated demo: every confusion cell's gallery holds that cell's count, regressions
/// and fixes equal a recomputation from the stored predictions, filters and sorts do what they say, tags / notes /
/// flags round-trip, and bad input gets a specific answer.
/// </summary>
public sealed class GalleryApiTests(EvaluatedDemoQualityHubFactory factory) : IClassFixture<EvaluatedDemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();
    private List<JsonElement> demoRuns = [];

    public async Task InitializeAsync()
    {
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        demoRuns = await EvaluationRuns.DemoRunsAsync(client);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    // The demo's run of the version (the first; a test here evaluates the linear model once more on a bigger dataset).
    private int RunOf(string version) => demoRuns.Where(r => r.GetProperty("version").GetString() == version).Min(r => r.GetProperty("id").GetInt32());

    private async Task<JsonElement> GalleryAsync(int runId, string query) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}/gallery?{query}");

    private async Task<List<JsonElement>> AllItemsAsync(int runId, string query)
    {
        var items = new List<JsonElement>();
        while (true)
        {
            var page = await GalleryAsync(runId, $"{query}&skip={items.Count}&take=1000");
            var batch = page.GetProperty("items").EnumerateArray().ToList();
            items.AddRange(batch);
            if (batch.Count == 0 || items.Count >= page.GetProperty("total").GetInt32())
            {
                return items;
            }
        }
    }

    [Fact]
    public async Task Each_confusion_cells_gallery_holds_exactly_that_cells_count()
    {
        foreach (var version in new[] { "fashion-linear-v1", "fashion-cnn-v1" })
        {
            var run = RunOf(version);
            var confusion = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{run}")).GetProperty("metrics").GetProperty("detail")
                .GetProperty("classification").GetProperty("confusion");
            var labels = confusion.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList();
            var counts = confusion.GetProperty("counts").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToList()).ToList();
            Assert.Equal(2000, counts.Sum(r => r.Sum()));
            for (var t = 0; t < labels.Count; t++)
            {
                for (var p = 0; p < labels.Count; p++)
                {
                    var query = $"trueLabel={Uri.EscapeDataString(labels[t])}&predLabel={Uri.EscapeDataString(labels[p])}&take=0";
                    var total = (await GalleryAsync(run, query)).GetProperty("total").GetInt32();
                    Assert.True(counts[t][p] == total, $"{version}: cell {labels[t]} → {labels[p]} has {counts[t][p]}, its gallery {total}");
                }
            }

            // And a cell's items are that cell's, with the ground truth and output the API of predictions stores.
            var cell = await AllItemsAsync(run, "trueLabel=Shirt&predLabel=T-shirt%2Ftop");
            Assert.All(cell, i => Assert.Equal(("Shirt", "T-shirt/top", false), (i.GetProperty("groundTruth").GetString(), i.GetProperty("output").GetString(), i.GetProperty("correct").GetBoolean())));
        }
    }

    [Fact]
    public async Task Regressions_and_fixes_equal_a_recomputation_from_the_stored_predictions()
    {
        var (a, b) = (RunOf("fashion-mlp-v1"), RunOf("fashion-cnn-v1"));
        bool Right(JsonElement p) => p.GetProperty("error").ValueKind == JsonValueKind.Null && p.GetProperty("output").GetString() == p.GetProperty("groundTruth").GetString();
        var before = (await EvaluationRuns.PredictionsAsync(client, a)).ToDictionary(p => p.GetProperty("sampleId").GetInt64(), Right);
        var after = (await EvaluationRuns.PredictionsAsync(client, b)).ToDictionary(p => p.GetProperty("sampleId").GetInt64(), Right);
        var expectedRegressions = before.Keys.Where(k => before[k] && !after[k]).Order().ToList();
        var expectedFixes = before.Keys.Where(k => !before[k] && after[k]).Order().ToList();
        Assert.NotEmpty(expectedRegressions);
        Assert.NotEmpty(expectedFixes);

        var regressions = await AllItemsAsync(b, $"compareTo={a}&change=regressions");
        var fixes = await AllItemsAsync(b, $"compareTo={a}&change=fixes");
        Assert.Equal(expectedRegressions, regressions.Select(i => i.GetProperty("sampleId").GetInt64()).Order());
        Assert.Equal(expectedFixes, fixes.Select(i => i.GetProperty("sampleId").GetInt64()).Order());

        // The comparison's counts say the same.
        var pair = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/compare?ids={a},{b}")).GetProperty("pairs")[0];
        Assert.Equal(expectedRegressions.Count, pair.GetProperty("regressions").GetInt32());
        Assert.Equal(expectedFixes.Count, pair.GetProperty("fixes").GetInt32());
    }

    [Fact]
    public async Task Filters_and_sorts_return_what_they_name()
    {
        var run = RunOf("fashion-cnn-v1");
        var failures = await GalleryAsync(run, "take=0");
        Assert.Equal(175, failures.GetProperty("total").GetInt32()); // 2,000 × (1 − 91.25 %)
        Assert.Equal(2000, (await GalleryAsync(run, "scope=all&take=0")).GetProperty("total").GetInt32());

        var confident = await AllItemsAsync(run, "minConf=0.9&maxConf=0.99&sort=confidence-desc");
        Assert.NotEmpty(confident);
        var confidences = confident.Select(i => i.GetProperty("confidence").GetDouble()).ToList();
        Assert.All(confidences, c => Assert.InRange(c, 0.9, 0.99));
        Assert.Equal(confidences.OrderDescending(), confidences);
        Assert.All(confident, i => Assert.False(i.GetProperty("correct").GetBoolean()));

        var byLoss = (await GalleryAsync(run, "sort=loss&take=50")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(byLoss.OrderDescending(), byLoss);
        Assert.All(byLoss, l => Assert.True(l > 0));

        var ascending = (await GalleryAsync(run, "sort=confidence-asc&take=50")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("confidence").GetDouble()).ToList();
        Assert.Equal(ascending.Order(), ascending);

        // The recogniser: a kind (dataset tag) and edit distance, which matches the strings.
        var text = RunOf("pp-ocrv4-rec");
        var embossed = await AllItemsAsync(text, "kind=embossed&scope=all&sort=edit-distance");
        Assert.NotEmpty(embossed);
        Assert.All(embossed, i => Assert.Contains("embossed", i.GetProperty("kinds").EnumerateArray().Select(k => k.GetString())));
        var distances = embossed.Select(i => i.GetProperty("editDistance").GetInt32()).ToList();
        Assert.Equal(distances.OrderDescending(), distances);
        Assert.All(embossed, i => Assert.Equal(
            Core.Metrics.EditDistance.Levenshtein(i.GetProperty("output").GetString(), i.GetProperty("groundTruth").GetString()), i.GetProperty("editDistance").GetInt32()));
    }

    [Fact]
    public async Task Tags_notes_and_flags_round_trip_and_feed_filters_the_chart_and_the_relabel_list()
    {
        var run = RunOf("fashion-linear-v1");
        var moduleId = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{run}")).GetProperty("moduleId").GetInt32();
        var seeded = (await client.GetFromJsonAsync<JsonElement>($"/api/modules/{moduleId}/error-tags")).EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["blur", "handwriting", "highlighter", "label noise", "low contrast", "occlusion", "rotation", "shadow"], seeded);

        var cell = await AllItemsAsync(run, "trueLabel=Pullover&predLabel=Coat");
        var ids = cell.Select(i => i.GetProperty("sampleId").GetInt64()).Take(5).ToList();
        var tagged = await client.PostAsJsonAsync("/api/gallery/tags", new { tag = "Occlusion ", runId = run, sampleIds = ids });
        Assert.Equal(HttpStatusCode.OK, tagged.StatusCode);
        var result = await tagged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("occlusion", 5, 5), (result.GetProperty("tag").GetString(), result.GetProperty("matched").GetInt32(), result.GetProperty("changed").GetInt32()));
        // Tagging again changes nothing; the filter finds exactly those samples.
        var again = await (await client.PostAsJsonAsync("/api/gallery/tags", new { tag = "occlusion", runId = run, sampleIds = ids })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("changed").GetInt32());
        var byTag = await AllItemsAsync(run, "tag=occlusion");
        Assert.Equal(ids.Order(), byTag.Select(i => i.GetProperty("sampleId").GetInt64()).Order());
        Assert.All(byTag, i => Assert.Equal(["occlusion"], i.GetProperty("errorTags").EnumerateArray().Select(t => t.GetString())));

        // Failure kinds: this run's failures with the tag are counted, and the other runs of the module on the dataset too.
        var kinds = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{run}/failure-kinds");
        var runIds = kinds.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(3, runIds.Count);
        var tagIndex = kinds.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToList().IndexOf("occlusion");
        Assert.Equal(5, kinds.GetProperty("counts")[runIds.IndexOf(run)][tagIndex].GetInt32());
        foreach (var other in runIds)
        {
            var expected = (await GalleryAsync(other, "tag=occlusion&take=0")).GetProperty("total").GetInt32();
            Assert.Equal(expected, kinds.GetProperty("counts")[runIds.IndexOf(other)][tagIndex].GetInt32());
        }

        // Removing.
        var removed = await (await client.PostAsJsonAsync("/api/gallery/tags", new { tag = "occlusion", runId = run, sampleIds = ids.Take(2), remove = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, removed.GetProperty("changed").GetInt32());
        Assert.Equal(3, (await GalleryAsync(run, "tag=occlusion&take=0")).GetProperty("total").GetInt32());

        // A note and the ground-truth flag; the flag feeds the suspect filter and the relabel CSV.
        var sample = ids[^1]; // still tagged (the first two were untagged above)
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/samples/{sample}/notes", new { text = "collar hidden by the crop" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/samples/{sample}/ground-truth-flag", new { suggestedLabel = "Coat", reason = "=zipper, buttons" })).StatusCode);
        var review = await client.GetFromJsonAsync<JsonElement>($"/api/samples/{sample}/review");
        Assert.Equal("collar hidden by the crop", review.GetProperty("notes")[0].GetProperty("text").GetString());
        Assert.Equal("Coat", review.GetProperty("flag").GetProperty("suggestedLabel").GetString());
        // Who wrote, flagged and tagged is the caller's sign-in (the admin key), never a field.
        const string Caller = "api key QUALITYHUB_API_KEY";
        Assert.Equal(Caller, review.GetProperty("notes")[0].GetProperty("author").GetString());
        Assert.Equal(Caller, review.GetProperty("flag").GetProperty("flaggedBy").GetString());
        Assert.Equal(Caller, review.GetProperty("errorTags")[0].GetProperty("taggedBy").GetString());
        Assert.Equal(3, review.GetProperty("outputs").GetArrayLength()); // every classifier's answer on it
        Assert.Equal(["occlusion"], review.GetProperty("errorTags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var suspects = await AllItemsAsync(run, "suspect=true&scope=all");
        Assert.Contains(sample, suspects.Select(i => i.GetProperty("sampleId").GetInt64()));
        Assert.All(suspects, i => Assert.True(i.GetProperty("suspect").GetBoolean()));

        var datasetId = review.GetProperty("datasetId").GetInt32();
        var csv = (await client.GetStringAsync($"/api/datasets/{datasetId}/relabel.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sample_id,ordinal,image_sha256,image_url,ground_truth,suggested_label,reason,flagged_by,flagged_at", csv[0]);
        var row = csv.Single(l => l.StartsWith($"{sample},", StringComparison.Ordinal));
        Assert.Contains(",Pullover,Coat,\"'=zipper, buttons\",api key QUALITYHUB_API_KEY,", row); // quoted, and the leading '=' defused for spreadsheets

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/samples/{sample}/ground-truth-flag")).StatusCode);
        Assert.DoesNotContain($"{sample},", await client.GetStringAsync($"/api/datasets/{datasetId}/relabel.csv"));
    }

    [Fact]
    public async Task The_taxonomy_is_editable_per_module_and_refuses_markup_and_repeats()
    {
        var moduleId = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{RunOf("pp-ocrv4-rec")}")).GetProperty("moduleId").GetInt32();
        var created = await client.PostAsJsonAsync($"/api/modules/{moduleId}/error-tags", new { name = "  Glare   on  Foil " });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tag = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("glare on foil", tag.GetProperty("name").GetString());

        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/modules/{moduleId}/error-tags", new { name = "GLARE on foil" })).StatusCode);
        foreach (var bad in new[] { "<script>alert(1)</script>", "<b>blur</b>", "", "   ", new string('x', 41), "-dash-first" })
        {
            var refused = await client.PostAsJsonAsync($"/api/modules/{moduleId}/error-tags", new { name = bad });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.False(string.IsNullOrEmpty((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
        }

        var renamed = await client.PutAsJsonAsync($"/api/modules/{moduleId}/error-tags/{tag.GetProperty("id").GetInt32()}", new { name = "foil glare" });
        Assert.Equal("foil glare", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/modules/{moduleId}/error-tags/{tag.GetProperty("id").GetInt32()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/modules/{moduleId}/error-tags/{tag.GetProperty("id").GetInt32()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/modules/9999/error-tags")).StatusCode);

        // The other module's list is its own.
        var fashion = (await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{RunOf("fashion-cnn-v1")}")).GetProperty("moduleId").GetInt32();
        Assert.DoesNotContain("foil glare", (await client.GetStringAsync($"/api/modules/{fashion}/error-tags")));
    }

    [Theory]
    [InlineData("minConf=0.9&maxConf=0.2", HttpStatusCode.BadRequest, "minConf")]
    [InlineData("minConf=abc", HttpStatusCode.BadRequest, "minConf")]
    [InlineData("maxConf=1.5", HttpStatusCode.BadRequest, "maxConf")]
    [InlineData("sort=random", HttpStatusCode.BadRequest, "sort")]
    [InlineData("scope=some", HttpStatusCode.BadRequest, "scope")]
    [InlineData("change=regressions", HttpStatusCode.BadRequest, "compareTo")]
    [InlineData("compareTo=x&change=fixes", HttpStatusCode.BadRequest, "compareTo")]
    [InlineData("take=5000", HttpStatusCode.BadRequest, "take")]
    [InlineData("compareTo=9999&change=fixes", HttpStatusCode.NotFound, "9999")]
    public async Task Unreadable_filters_get_a_message_naming_the_parameter(string query, HttpStatusCode status, string named)
    {
        var response = await client.GetAsync($"/api/evaluations/{RunOf("fashion-cnn-v1")}/gallery?{query}");
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(named, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Filters_that_match_nothing_a_missing_run_and_runs_on_other_datasets_are_answered_plainly()
    {
        var run = RunOf("fashion-cnn-v1");
        foreach (var query in new[] { "trueLabel=Sneaker&predLabel=Trouser", "tag=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "kind=nothing-like-this", "minConf=0.999999&maxConf=1&trueLabel=Bag" })
        {
            var page = await GalleryAsync(run, query);
            Assert.Equal(JsonValueKind.Array, page.GetProperty("items").ValueKind);
            Assert.True(page.GetProperty("total").GetInt32() == page.GetProperty("items").GetArrayLength(), query);
        }

        Assert.Equal(0, (await GalleryAsync(run, "trueLabel=Sneaker&predLabel=Trouser")).GetProperty("total").GetInt32());
        var missing = await client.GetAsync("/api/evaluations/9999/gallery");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no evaluation run 9999", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var otherDataset = await client.GetAsync($"/api/evaluations/{run}/gallery?compareTo={RunOf("pp-ocrv4-rec")}&change=regressions");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherDataset.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.GetAsync($"/api/evaluations/{run}/gallery?compareTo={run}&change=fixes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/samples/999999/review")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/datasets/999/relabel.csv")).StatusCode);
    }

    [Fact]
    public async Task Tag_requests_that_cannot_be_done_say_why_and_change_nothing()
    {
        var run = RunOf("fashion-mlp-v1");
        var textRun = RunOf("pp-ocrv4-rec");
        var textSample = (await GalleryAsync(textRun, "take=1")).GetProperty("items")[0].GetProperty("sampleId").GetInt64();
        var sample = (await GalleryAsync(run, "take=1")).GetProperty("items")[0].GetProperty("sampleId").GetInt64();
        var cases = new (object Body, HttpStatusCode Status, string Says)[]
        {
            (new { tag = "blur", runId = run }, HttpStatusCode.BadRequest, "sampleIds"),
            (new { tag = "blur", runId = run, sampleIds = new[] { sample }, filter = "" }, HttpStatusCode.BadRequest, "one of the two"),
            (new { tag = "blur", sampleIds = new[] { sample } }, HttpStatusCode.BadRequest, "moduleId"),
            (new { tag = "<img src=x onerror=alert(1)>", runId = run, sampleIds = new[] { sample } }, HttpStatusCode.UnprocessableEntity, "letters, digits"),
            (new { tag = "never-made", runId = run, sampleIds = new[] { sample } }, HttpStatusCode.UnprocessableEntity, "has no error tag"),
            (new { tag = "blur", runId = run, sampleIds = new[] { sample, 987654321L } }, HttpStatusCode.UnprocessableEntity, "987654321"),
            (new { tag = "blur", runId = run, sampleIds = new[] { textSample } }, HttpStatusCode.UnprocessableEntity, "not samples of dataset"),
            (new { tag = "blur", runId = run, sampleIds = Array.Empty<long>() }, HttpStatusCode.UnprocessableEntity, "empty"),
            (new { tag = "blur", runId = 9999, sampleIds = new[] { sample } }, HttpStatusCode.NotFound, "9999"),
            (new { tag = "blur", runId = run, filter = "sort=sideways" }, HttpStatusCode.BadRequest, "sort"),
            (new { tag = "blur", runId = run, sampleIds = Enumerable.Range(1, 100_001).Select(i => (long)i).ToArray() }, HttpStatusCode.UnprocessableEntity, "at most 100,000"),
        };
        foreach (var (body, status, says) in cases)
        {
            var response = await client.PostAsJsonAsync("/api/gallery/tags", body);
            Assert.True(status == response.StatusCode, $"{JsonSerializer.Serialize(body)[..Math.Min(120, JsonSerializer.Serialize(body).Length)]}: {response.StatusCode}");
            Assert.Contains(says, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        var malformed = await client.PostAsync("/api/gallery/tags", new StringContent("{\"tag\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(0, (await GalleryAsync(run, "tag=blur&scope=all&take=0")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Ten_thousand_items_are_tagged_at_once_by_filter_or_by_ids()
    {
        // A 10,000-sample dataset (the demo test set five times, as `qualityhub repeat-dataset` makes it), evaluated.
        var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        await using (db)
        {
            var source = await db.Datasets.SingleAsync(d => d.Name == "fashion-mnist-test-2000");
            var copy = new Core.Domain.Dataset
            {
                Name = "fashion-10k-gallery",
                TaskType = source.TaskType,
                Split = source.Split,
                LicenceId = source.LicenceId,
                Labels = source.Labels,
                ModuleId = source.ModuleId,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Datasets.Add(copy);
            await db.SaveChangesAsync();
            for (var i = 0; i < 5; i++)
            {
                await db.Database.ExecuteSqlAsync(
                    $"""INSERT INTO "Samples" ("DatasetId", "Ordinal", "ImageSha256", "Width", "Height", "GroundTruth", "Tags") SELECT {copy.Id}, "Ordinal" + {i * 2000}, "ImageSha256", "Width", "Height", "GroundTruth", "Tags" FROM "Samples" WHERE "DatasetId" = {source.Id}""");
            }

            var linear = await db.ModelVersions.SingleAsync(v => v.Name == "fashion-linear-v1");
            var created = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = linear.Id, datasetId = copy.Id });
            var runId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            Assert.Equal("completed", (await EvaluationRuns.WaitAsync(client, runId)).GetProperty("status").GetString());

            Assert.Equal(10_000, (await GalleryAsync(runId, "scope=all&take=0")).GetProperty("total").GetInt32());
            var all = await (await client.PostAsJsonAsync("/api/gallery/tags", new { tag = "shadow", runId, filter = "scope=all" })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((10_000, 10_000), (all.GetProperty("matched").GetInt32(), all.GetProperty("changed").GetInt32()));
            Assert.Equal(10_000, (await GalleryAsync(runId, "scope=all&tag=shadow&take=0")).GetProperty("total").GetInt32());

            var ids = (await AllItemsAsync(runId, "scope=all")).Select(i => i.GetProperty("sampleId").GetInt64()).ToList();
            Assert.Equal(10_000, ids.Distinct().Count());
            var removed = await client.PostAsJsonAsync("/api/gallery/tags", new { tag = "shadow", runId, sampleIds = ids, remove = true });
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
            Assert.Equal(10_000, (await removed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetInt32());
            Assert.Equal(0, await db.SampleErrorTags.CountAsync(t => t.ErrorTag!.Name == "shadow"));

            // Audited once per request, both ways, not once per row.
            var audit = await db.AuditEntries.Where(e => e.Target.Contains("(shadow)")).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(["tagged samples", "untagged samples"], audit.Select(e => e.Action));
            Assert.All(audit, e => Assert.Equal("10,000 of 10,000 samples changed", e.Details));
            Assert.Equal(0, await db.AuditEntries.CountAsync(e => e.Action == "added SampleErrorTag"));
        }
    }

    [Fact]
    public async Task A_recognisers_wrong_answers_come_with_their_character_diff_and_classifier_items_without()
    {
        var items = await AllItemsAsync(RunOf("pp-ocrv4-rec"), "scope=all");
        var wrong = items.Where(i => !i.GetProperty("correct").GetBoolean() && i.GetProperty("error").ValueKind == JsonValueKind.Null).ToList();
        Assert.NotEmpty(wrong);
        foreach (var item in wrong)
        {
            var steps = item.GetProperty("diff").EnumerateArray().ToList();
            string Side(string name) => string.Concat(steps.Select(s => s.GetProperty(name).ValueKind == JsonValueKind.Null ? "" : s.GetProperty(name).GetString()));
            Assert.Equal(item.GetProperty("groundTruth").GetString(), Side("expected"));
            Assert.Equal(item.GetProperty("output").GetString(), Side("actual"));
            Assert.Equal(item.GetProperty("editDistance").GetInt32(), steps.Count(s => s.GetProperty("kind").GetString() != "Equal"));
        }

        Assert.All(items.Where(i => i.GetProperty("correct").GetBoolean()), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("diff").ValueKind));
        Assert.All((await GalleryAsync(RunOf("fashion-cnn-v1"), "take=20")).GetProperty("items").EnumerateArray(), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("diff").ValueKind));
    }
}
