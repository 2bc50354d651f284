using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;
using static QualityHub.Web.Tests.Features.Labeling.LabelingApi;

namespace QualityHub.Web.Tests.Features.Labeling;

/// <summary>
/// Issue #24 end to end on the demo: Fashion-MNIST samples flagged as wrongly labelled become a vendor job with hidden
/// gold items, go out as a zip, come back as a delivery measured against gold and our labels, are reviewed and merged
/// into the dataset's version 2, which the module is then measured on. An app of its own: the merge replaces the
/// demo module's test set.
/// </summary>
public sealed class LabelingFlowTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();

    public async Task InitializeAsync() => await factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A flagged sample: our label, the flag's suggestion, the vendor's label and the review's decision (null where they agree).</summary>
    private sealed record Planned(string Ours, string Suggested, string Vendor, string? Decision);

    // Twelve flagged samples: four Shirts, four Coats, four Pullovers (taken in dataset order), each with what the vendor
    // answers and what the review decides. The vendor agrees with us on four of them.
    private static readonly Planned[] Plan =
    [
        new("Shirt", "T-shirt/top", "Shirt", null),
        new("Shirt", "T-shirt/top", "Shirt", null),
        new("Shirt", "T-shirt/top", "T-shirt/top", "acceptVendor"),
        new("Shirt", "T-shirt/top", "T-shirt/top", "acceptVendor"),
        new("Coat", "Pullover", "Coat", null),
        new("Coat", "Pullover", "Pullover", "acceptVendor"),
        new("Coat", "Pullover", "Pullover", "keepOurs"),
        new("Coat", "Pullover", "Pullover", "ambiguous"),
        new("Pullover", "Coat", "Pullover", null),
        new("Pullover", "Coat", "Coat", "acceptVendor"),
        new("Pullover", "Coat", "Coat", "keepOurs"),
        new("Pullover", "Coat", "Shirt", "keepOurs"),
    ];

    /// <summary>Cohen's kappa from the confusion counts of two labelings, written out here, independent of the product's LabelAgreement.</summary>
    private static double KappaOf(IReadOnlyList<(string Ours, string Vendor)> pairs)
    {
        var labels = pairs.SelectMany(p => new[] { p.Ours, p.Vendor }).Distinct().Order(StringComparer.Ordinal).ToList();
        var k = labels.Count;
        var confusion = new int[k, k];
        foreach (var (ours, vendor) in pairs)
        {
            confusion[labels.IndexOf(ours), labels.IndexOf(vendor)]++;
        }

        double n = pairs.Count, agree = 0, chance = 0;
        for (var i = 0; i < k; i++)
        {
            agree += confusion[i, i];
            double row = 0, column = 0;
            for (var j = 0; j < k; j++)
            {
                row += confusion[i, j];
                column += confusion[j, i];
            }

            chance += row / n * (column / n);
        }

        var observed = agree / n;
        return (observed - chance) / (1 - chance);
    }

    [Fact]
    public async Task Flagged_samples_go_to_a_vendor_come_back_reviewed_and_merge_into_version_2_which_the_module_is_measured_on()
    {
        var datasetId = await DatasetIdAsync(client, Fashion);
        var before = await SamplesAsync(client, datasetId);
        var ordersByLabel = before.GroupBy(s => s.GetProperty("groundTruth").GetString()!).ToDictionary(g => g.Key, g => new Queue<JsonElement>(g));
        var flagged = Plan.Select(p => ordersByLabel[p.Ours].Dequeue()).ToList();
        var flaggedIds = flagged.Select(s => s.GetProperty("id").GetInt64()).ToList();

        // 1. Flag the twelve through the gallery's API, with suggested labels.
        for (var i = 0; i < Plan.Length; i++)
        {
            var flag = await client.PutAsJsonAsync($"/api/samples/{flaggedIds[i]}/ground-truth-flag", new { suggestedLabel = Plan[i].Suggested, reason = $"looks like a {Plan[i].Suggested}" });
            Assert.Equal(HttpStatusCode.OK, flag.StatusCode);
        }

        Assert.Equal(flaggedIds.Order(), (await RelabelListAsync(datasetId)).Order());

        // 2. The job: every flag of the dataset, eight gold items on top, 0.08 EUR an item.
        var deadline = DateTimeOffset.UtcNow.AddDays(14);
        var vendor = $"Acme Labeling {Guid.NewGuid():N}"[..24];
        var job = await CreateJobAsync(client, new
        {
            name = "Fashion relabel round 1",
            from = new { kind = "flags", datasetId },
            purpose = "Settle the flagged Fashion-MNIST labels.",
            unitPrice = 0.08m,
            currency = "EUR",
            budget = 5m,
            deadline,
            vendorName = vendor,
            vendorContact = "ops@acme.example",
            goldCount = 8,
        });
        var jobId = job.GetProperty("id").GetInt32();
        Assert.Equal((20, 20, 8), (job.GetProperty("quantity").GetInt32(), job.GetProperty("items").GetInt32(), job.GetProperty("goldItems").GetInt32()));
        Assert.Equal(1.60m, job.GetProperty("cost").GetDecimal());
        Assert.Equal(("draft", 1, datasetId), (job.GetProperty("status").GetString(), job.GetProperty("guideVersion").GetInt32(), job.GetProperty("datasetId").GetInt32()));
        Assert.Equal(["sent", "cancelled"], job.GetProperty("nextStatuses").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(job.GetProperty("flags").EnumerateArray()); // 1.60 EUR within 5 EUR, deadline ahead
        Assert.Equal(FashionLabels, job.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
        Assert.DoesNotContain("gold", job.ToString().Replace("goldItems", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

        // 3. The vendor's zip lists exactly the items, the two manifests agree, every image is the one its hash names,
        // and nothing tells a gold item or a label.
        var zip = await ExportAsync(client, jobId);
        Assert.Equal("item_id,sample_id,image,width,height,sha256", zip.CsvHeader);
        Assert.Equal(zip.Csv, zip.Jsonl);
        Assert.All(zip.JsonlKeys, keys => Assert.Equal(["item_id", "sample_id", "image", "width", "height", "sha256"], keys));
        Assert.Equal(20, zip.Csv.Count);
        Assert.Equal(20, zip.Csv.Select(r => r.ItemId).Distinct().Count());
        var itemSamples = zip.Csv.Select(r => r.SampleId).ToHashSet();
        Assert.Superset(flaggedIds.ToHashSet(), itemSamples);
        var goldIds = itemSamples.Except(flaggedIds).ToList();
        Assert.Equal(8, goldIds.Count);
        // Item ids are shuffled: the gold items, added last, are not simply the highest ids (odds of that by chance: 1 in 125,970).
        Assert.NotEqual(goldIds.Order(), zip.Csv.OrderByDescending(r => r.ItemId).Take(8).Select(r => r.SampleId).Order());
        var labelsBefore = before.ToDictionary(s => s.GetProperty("id").GetInt64(), s => s.GetProperty("groundTruth").GetString()!);
        Assert.All(goldIds, id => Assert.True(labelsBefore.ContainsKey(id), $"gold sample {id} is not in the dataset"));
        foreach (var row in zip.Csv)
        {
            Assert.Equal($"images/{row.SampleId}.png", row.Image);
            Assert.Equal((28, 28), (row.Width, row.Height));
            Assert.Equal(row.Sha256, Sha256(zip.Entries[row.Image]));
        }

        Assert.Equal(zip.Csv.Select(r => r.Image).Order(), zip.Entries.Keys.Where(k => k.StartsWith("images/", StringComparison.Ordinal)).Order());
        Assert.Contains("guide.md", zip.Entries.Keys);
        Assert.Contains("qna.md", zip.Entries.Keys);
        Assert.Contains("README.md", zip.Entries.Keys);
        foreach (var manifest in new[] { zip.Text("manifest.csv"), zip.Text("manifest.jsonl") })
        {
            Assert.DoesNotContain("gold", manifest, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("label", manifest, StringComparison.OrdinalIgnoreCase);
            Assert.All(FashionLabels, label => Assert.DoesNotContain(label, manifest, StringComparison.Ordinal));
        }

        // 4. Nothing is taken before the job is sent; then it is.
        var early = await DeliverAsync(client, jobId, "early.csv", Csv(zip.Csv.Select(r => (r.ItemId, "Bag"))));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var sent = await PatchAsync(client, jobId, new { status = "sent" });
        Assert.Equal("sent", sent.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, sent.GetProperty("sentAt").ValueKind);

        // 5. The delivery: the planned labels for the flagged samples; six gold items right, two wrong.
        var itemOf = zip.Csv.ToDictionary(r => r.SampleId, r => r.ItemId);
        var vendorLabel = new Dictionary<long, string>();
        for (var i = 0; i < Plan.Length; i++)
        {
            vendorLabel[flaggedIds[i]] = Plan[i].Vendor;
        }

        var goldWrong = goldIds.Order().Take(2).ToList();
        foreach (var id in goldIds)
        {
            vendorLabel[id] = goldWrong.Contains(id) ? FashionLabels.First(l => l != labelsBefore[id]) : labelsBefore[id];
        }

        var rows = vendorLabel.OrderBy(v => itemOf[v.Key]).Select(v => string.Create(CultureInfo.InvariantCulture, $"{itemOf[v.Key]},{v.Key},{v.Value}"));
        var delivered = await DeliverAsync(client, jobId, "acme-round-1.csv", Csv("item_id,sample_id,label", rows));
        Assert.True(delivered.StatusCode == HttpStatusCode.Created, await delivered.Content.ReadAsStringAsync());
        var delivery = await JsonAsync(delivered);
        var deliveryId = delivery.GetProperty("id").GetInt32();

        // Gold accuracy and kappa recomputed here: gold against the labels the gold samples had, kappa of the other
        // twelve against our labels, from their confusion counts (and, for this plan, by hand: p_o = 4/12,
        // p_e = (4·3 + 0·2 + 4·3 + 4·4)/144 = 40/144, κ = (1/3 − 5/18)/(13/18) = 1/13).
        var goldAccuracy = (double)goldIds.Count(id => vendorLabel[id] == labelsBefore[id]) / goldIds.Count;
        var kappa = KappaOf(flaggedIds.Select(id => (labelsBefore[id], vendorLabel[id])).ToList());
        Assert.Equal(0.75, goldAccuracy);
        Assert.Equal(1.0 / 13, kappa, 12);
        Assert.True(delivery.GetProperty("accepted").GetBoolean());
        Assert.Equal(20, delivery.GetProperty("rows").GetInt32());
        Assert.Equal(goldAccuracy, delivery.GetProperty("goldAccuracy").GetDouble(), 12);
        Assert.Equal(8, delivery.GetProperty("goldItems").GetInt32());
        Assert.Equal(kappa, delivery.GetProperty("kappa").GetDouble(), 12);
        Assert.Equal(12, delivery.GetProperty("compareItems").GetInt32());
        Assert.Equal((10, 10), (delivery.GetProperty("disagreements").GetInt32(), delivery.GetProperty("undecided").GetInt32()));
        Assert.Equal("delivered", (await DetailAsync(client, jobId)).GetProperty("job").GetProperty("status").GetString());

        // 6. The disagreements: the eight flagged ones the vendor labelled otherwise and the two gold misses.
        var disagreements = await client.GetFromJsonAsync<JsonElement>($"/api/labeling-jobs/{jobId}/disagreements");
        var listed = disagreements.EnumerateArray().ToDictionary(d => d.GetProperty("sampleId").GetInt64());
        var expected = vendorLabel.Where(v => v.Value != labelsBefore[v.Key]).Select(v => v.Key).ToList();
        Assert.Equal(expected.Order(), listed.Keys.Order());
        Assert.All(listed.Values, d =>
        {
            var sample = d.GetProperty("sampleId").GetInt64();
            Assert.Equal(labelsBefore[sample], d.GetProperty("ours").GetString());
            Assert.Equal(vendorLabel[sample], d.GetProperty("vendor").GetString());
            Assert.Equal(goldIds.Contains(sample), d.GetProperty("isGold").GetBoolean());
            Assert.Equal(JsonValueKind.Null, d.GetProperty("decision").ValueKind);
        });
        var ordinals = disagreements.EnumerateArray().Select(d => d.GetProperty("ordinal").GetInt32()).ToList();
        Assert.Equal(ordinals.Order(), ordinals);

        // 7. Review: all but the last flagged disagreement decided (rows by id, gold by sample id) — still delivered,
        // and neither PATCH to reviewed nor the merge goes through — then the last one.
        var last = flaggedIds[^1];
        var decisions = Plan.Select((p, i) => (Sample: flaggedIds[i], p.Decision)).Where(d => d.Decision is not null && d.Sample != last)
            .Select(d => (object)new { rowId = listed[d.Sample].GetProperty("rowId").GetInt64(), decision = d.Decision })
            .Concat(goldWrong.Select(id => (object)new { sampleId = id, decision = "keepOurs" })).ToList();
        var partly = await client.PutAsJsonAsync($"/api/labeling-jobs/{jobId}/reviews", new { decisions });
        Assert.Equal(HttpStatusCode.OK, partly.StatusCode);
        Assert.Equal(1, (await JsonAsync(partly)).GetProperty("undecided").GetInt32());
        Assert.Equal("delivered", (await DetailAsync(client, jobId)).GetProperty("job").GetProperty("status").GetString());
        await PatchAsync(client, jobId, new { status = "reviewed" }, HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { })).StatusCode);

        var rest = await client.PutAsJsonAsync($"/api/labeling-jobs/{jobId}/reviews", new { decisions = new[] { new { sampleId = last, decision = Plan[^1].Decision } } });
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(0, (await JsonAsync(rest)).GetProperty("undecided").GetInt32());
        var reviewed = await DetailAsync(client, jobId);
        Assert.Equal("reviewed", reviewed.GetProperty("job").GetProperty("status").GetString());
        var decided = (await client.GetFromJsonAsync<JsonElement>($"/api/labeling-jobs/{jobId}/disagreements")).EnumerateArray()
            .ToDictionary(d => d.GetProperty("sampleId").GetInt64(), d => d.GetProperty("decision").GetString());
        for (var i = 0; i < Plan.Length; i++)
        {
            if (Plan[i].Decision is { } decision)
            {
                Assert.Equal(decision, decided[flaggedIds[i]]);
            }
        }

        // The module's requirement names version 1 as its test set (so the board follows the version chain, not just
        // the newest test-split dataset).
        var moduleId = job.GetProperty("moduleId").GetInt32();
        var requirement = await client.PostAsJsonAsync($"/api/modules/{moduleId}/requirements", new { accuracyMetric = "accuracy", accuracyThreshold = 0.8, accuracyDatasetId = datasetId, rationale = "Measured on the demo's test subset." });
        Assert.Equal(HttpStatusCode.Created, requirement.StatusCode);
        Assert.Equal(datasetId, (await TestSetOnTheBoardAsync()).GetProperty("datasetId").GetInt32());

        // 8. Merge: version 2 of the dataset, the accepted labels in it, the old version untouched.
        var merge = await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { deliveryId });
        Assert.True(merge.StatusCode == HttpStatusCode.OK, await merge.Content.ReadAsStringAsync());
        var merged = await JsonAsync(merge);
        var v2 = merged.GetProperty("datasetId").GetInt32();
        var accepted = Plan.Select((p, i) => (p, i)).Where(x => x.p.Decision == "acceptVendor").ToDictionary(x => flaggedIds[x.i], x => x.p.Vendor);
        var settledFlags = Plan.Count(p => p.Decision != "ambiguous");
        Assert.Equal($"{Fashion} v2", merged.GetProperty("dataset").GetString());
        Assert.Equal((2, datasetId, 2000), (merged.GetProperty("version").GetInt32(), merged.GetProperty("previousDatasetId").GetInt32(), merged.GetProperty("samples").GetInt32()));
        Assert.Equal((accepted.Count, settledFlags), (merged.GetProperty("labelsChanged").GetInt32(), merged.GetProperty("flagsClosed").GetInt32()));
        Assert.Equal((4, 11), (accepted.Count, settledFlags));

        var afterV2 = await SamplesAsync(client, v2);
        Assert.Equal(2000, afterV2.Count);
        var idByOrdinal = before.ToDictionary(s => s.GetProperty("ordinal").GetInt32(), s => s.GetProperty("id").GetInt64());
        foreach (var sample in afterV2)
        {
            var oldId = idByOrdinal[sample.GetProperty("ordinal").GetInt32()];
            Assert.NotEqual(oldId, sample.GetProperty("id").GetInt64());
            Assert.Equal(accepted.GetValueOrDefault(oldId, labelsBefore[oldId]), sample.GetProperty("groundTruth").GetString());
        }

        var afterV1 = await SamplesAsync(client, datasetId);
        Assert.Equal(before.Select(s => s.ToString()), afterV1.Select(s => s.ToString()));

        // The flags the review settled are closed, each with a note naming the job; the ambiguous one stays.
        var ambiguous = flaggedIds[Array.FindIndex(Plan, p => p.Decision == "ambiguous")];
        Assert.Equal([ambiguous], await RelabelListAsync(datasetId));
        var relabelled = await client.GetFromJsonAsync<JsonElement>($"/api/samples/{flaggedIds[2]}/review");
        Assert.Equal(JsonValueKind.Null, relabelled.GetProperty("flag").ValueKind);
        Assert.Contains(relabelled.GetProperty("notes").EnumerateArray(), n => n.GetProperty("text").GetString()!.Contains($"labeling job {jobId}", StringComparison.Ordinal));
        var kept = await client.GetFromJsonAsync<JsonElement>($"/api/samples/{flaggedIds[6]}/review");
        Assert.Contains(kept.GetProperty("notes").EnumerateArray(), n => n.GetProperty("text").GetString()!.Contains($"labeling job {jobId}", StringComparison.Ordinal));
        Assert.NotEqual(JsonValueKind.Null, (await client.GetFromJsonAsync<JsonElement>($"/api/samples/{ambiguous}/review")).GetProperty("flag").ValueKind);

        // A delivery merges once; the job is merged and closed.
        var again = await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { deliveryId });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { })).StatusCode);
        var closed = (await DetailAsync(client, jobId)).GetProperty("job");
        Assert.Equal(("merged", v2), (closed.GetProperty("status").GetString(), closed.GetProperty("mergedDatasetId").GetInt32()));
        await PatchAsync(client, jobId, new { status = "cancelled" }, HttpStatusCode.Conflict);
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().Count(d => d.GetProperty("name").GetString()!.StartsWith($"{Fashion} v", StringComparison.Ordinal)));

        // 9. Version 2 is the module's test set now, and an evaluation on it sees the new ground truth.
        var testSet = await TestSetOnTheBoardAsync();
        Assert.Equal((v2, $"{Fashion} v2"), (testSet.GetProperty("datasetId").GetInt32(), testSet.GetProperty("dataset").GetString()));

        var models = await client.GetFromJsonAsync<JsonElement>("/api/models");
        var linear = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "fashion-linear-v1").GetProperty("id").GetInt32();
        var started = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = linear, datasetId = v2 });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var runId = (await JsonAsync(started)).GetProperty("id").GetInt32();
        var run = await EvaluationRuns.WaitAsync(client, runId);
        Assert.Equal("completed", run.GetProperty("status").GetString()!.ToLowerInvariant());
        Assert.Equal((v2, $"{Fashion} v2"), (run.GetProperty("datasetId").GetInt32(), run.GetProperty("dataset").GetString()));

        var predictions = (await EvaluationRuns.PredictionsAsync(client, runId)).ToDictionary(p => p.GetProperty("ordinal").GetInt32());
        Assert.Equal(2000, predictions.Count);
        var ordinalOf = before.ToDictionary(s => s.GetProperty("id").GetInt64(), s => s.GetProperty("ordinal").GetInt32());
        foreach (var (oldId, label) in accepted)
        {
            var prediction = predictions[ordinalOf[oldId]];
            Assert.Equal(label, prediction.GetProperty("groundTruth").GetString());
            Assert.Equal(prediction.GetProperty("output").GetString() == label, prediction.GetProperty("correct").GetBoolean());
        }

        var v2Labels = afterV2.ToDictionary(s => s.GetProperty("ordinal").GetInt32(), s => s.GetProperty("groundTruth").GetString());
        Assert.All(predictions.Values, p => Assert.Equal(v2Labels[p.GetProperty("ordinal").GetInt32()], p.GetProperty("groundTruth").GetString()));
        foreach (var (oldId, label) in accepted)
        {
            var gallery = await client.GetFromJsonAsync<JsonElement>($"/api/evaluations/{runId}/gallery?scope=all&trueLabel={Uri.EscapeDataString(label)}&take=1000");
            var item = gallery.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("ordinal").GetInt32() == ordinalOf[oldId]);
            Assert.Equal(label, item.GetProperty("groundTruth").GetString());
        }
    }

    private static readonly string[] FashionLabels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The demo classifier's module on the release board, which names the dataset it is measured on.</summary>
    private async Task<JsonElement> TestSetOnTheBoardAsync() =>
        (await client.GetFromJsonAsync<JsonElement>("/api/release-board")).GetProperty("modules").EnumerateArray()
            .Single(m => m.GetProperty("module").GetString() == DemoContentLoader.FashionModule);

    /// <summary>The sample ids in a dataset's relabel.csv.</summary>
    private async Task<List<long>> RelabelListAsync(int datasetId)
    {
        var csv = await client.GetStringAsync($"/api/datasets/{datasetId}/relabel.csv");
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Select(line => long.Parse(line.Split(',')[0].Trim('"'), CultureInfo.InvariantCulture)).ToList();
    }
}
