using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Demo;
using static QualityHub.Web.Tests.Features.Labeling.LabelingApi;
using static QualityHub.Web.Tests.Support.DatasetUploads;

namespace QualityHub.Web.Tests.Features.Labeling;

/// <summary>
/// Issue #24's API on the demo: what a job may be made of and what it refuses, its moves, deliveries that cannot be
/// taken (and change nothing), the licence check of the vendor's zip, questions folded into the guide, who may do what,
/// and the vendors' figures. Jobs here are made from picked samples, so no test sees another's flags.
/// </summary>
public sealed class LabelingApiTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();
    private int fashion;
    private Dictionary<long, string> truth = [];
    private List<long> fashionIds = [];

    public async Task InitializeAsync()
    {
        await factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        fashion = await DatasetIdAsync(client, Fashion);
        var samples = await SamplesAsync(client, fashion);
        truth = samples.ToDictionary(s => s.GetProperty("id").GetInt64(), s => s.GetProperty("groundTruth").GetString()!);
        fashionIds = samples.Select(s => s.GetProperty("id").GetInt64()).ToList();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly string[] FashionLabels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private async Task<int> JobCountAsync() => (await client.GetFromJsonAsync<JsonElement>("/api/labeling-jobs")).GetProperty("jobs").GetArrayLength();

    /// <summary>A job of six fashion samples from <paramref name="first"/> on, two gold items on top, sent; its id and the zip's manifest in item order.</summary>
    private async Task<(int JobId, List<ManifestRow> Items)> SentJobAsync(int first, string? vendor = null, int count = 6, int gold = 2, decimal unitPrice = 0.05m, string currency = "EUR")
    {
        var job = await CreateSamplesJobAsync(client, fashionIds.Skip(first).Take(count), gold, vendor, unitPrice, currency: currency);
        var id = job.GetProperty("id").GetInt32();
        Assert.Equal(count + gold, job.GetProperty("items").GetInt32());
        await PatchAsync(client, id, new { status = "sent" });
        var zip = await ExportAsync(client, id);
        return (id, zip.Csv.OrderBy(r => r.ItemId).ToList());
    }

    // ---- 2. Deliveries that cannot be taken ----

    public static TheoryData<string> BadDeliveries =>
    [
        "unknown item id", "unknown sample id", "label outside the label set", "label outside the label set, rows by sample id",
        "duplicate row", "missing item", "Latin-1 file", "JSONL line that is not JSON",
    ];

    [Theory]
    [MemberData(nameof(BadDeliveries))]
    public async Task A_bad_delivery_is_refused_naming_each_row_and_field_and_changes_nothing(string kind)
    {
        var (jobId, items) = await SentJobAsync(first: 100);
        var label = items.ToDictionary(r => r.ItemId, r => truth[r.SampleId]);
        string ItemRow(ManifestRow r) => string.Create(CultureInfo.InvariantCulture, $"{r.ItemId},{label[r.ItemId]}");
        var outsider = fashionIds.First(id => items.All(r => r.SampleId != id));
        string Id(int i) => items[i].ItemId.ToString(CultureInfo.InvariantCulture);
        (string File, byte[] Content, (int Row, string? ItemId, string Field)[] Expected) bad = kind switch
        {
            "unknown item id" => ("labels.csv", Csv("item_id,label", items.Select(ItemRow).Append("999999999,Bag")),
                [(9, "999999999", "item_id")]),
            "unknown sample id" => ("labels.csv", Csv("sample_id,label", items.Select(r => $"{r.SampleId},{label[r.ItemId]}").Append($"{outsider},Bag")),
                [(9, outsider.ToString(CultureInfo.InvariantCulture), "sample_id")]),
            "label outside the label set" => ("labels.csv", Csv("item_id,label", items.Select((r, i) => i == 2 ? $"{r.ItemId},Kangaroo" : ItemRow(r))),
                [(3, Id(2), "label")]),
            "label outside the label set, rows by sample id" => ("labels.csv", Csv("sample_id,label", items.Select((r, i) => $"{r.SampleId},{(i == 2 ? "Kangaroo" : label[r.ItemId])}")),
                [(3, items[2].SampleId.ToString(CultureInfo.InvariantCulture), "label")]),
            "duplicate row" => ("labels.csv", Csv("item_id,label", items.Select(ItemRow).Append(ItemRow(items[1]))),
                [(9, Id(1), "item_id")]),
            "missing item" => ("labels.csv", Csv("item_id,label", items.Where((_, i) => i != 4).Select(ItemRow)),
                [(0, Id(4), "item_id")]),
            "Latin-1 file" => ("labels.csv", Encoding.Latin1.GetBytes("item_id,label,comment\n" + string.Concat(items.Select(r => ItemRow(r) + ",vérifié\n"))),
                [(0, null, "file")]),
            "JSONL line that is not JSON" => ("labels.jsonl", Encoding.UTF8.GetBytes(string.Concat(items.Select((r, i) =>
                    (i == 3 ? $"{{\"item_id\": {r.ItemId}, \"label\": Bag" : JsonSerializer.Serialize(new { item_id = r.ItemId, label = label[r.ItemId] })) + "\n"))),
                [(4, null, "line")]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var datasets = (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).GetArrayLength();

        var response = await DeliverAsync(client, jobId, bad.File, bad.Content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await JsonAsync(response);
        Assert.Equal("file", problem.GetProperty("field").GetString());
        Assert.Equal(bad.Expected, Problems(problem));
        Assert.All(problem.GetProperty("problems").EnumerateArray(), p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("message").GetString())));

        // Nothing else changed: the job is still sent, the refused delivery is kept with its report, nothing to review or merge.
        var detail = await DetailAsync(client, jobId);
        Assert.Equal("sent", detail.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("job").GetProperty("latestDelivery").ValueKind);
        var stored = Assert.Single(detail.GetProperty("deliveries").EnumerateArray());
        Assert.False(stored.GetProperty("accepted").GetBoolean());
        Assert.Equal(Problems(problem), Problems(stored));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/labeling-jobs/{jobId}/disagreements")).StatusCode);
        var merge = await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { deliveryId = stored.GetProperty("id").GetInt32() });
        Assert.Equal(HttpStatusCode.Conflict, merge.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { })).StatusCode);
        Assert.Equal(datasets, (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).GetArrayLength());
    }

    [Fact]
    public async Task A_delivery_without_a_file_field_or_as_JSON_is_a_bad_request_and_is_not_stored()
    {
        var (jobId, items) = await SentJobAsync(first: 120);

        var noFile = await DeliverAsync(client, jobId, "labels.csv", Csv(items.Select(r => (r.ItemId, truth[r.SampleId]))), field: "upload");
        var json = await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/deliveries", new { file = "item_id,label\n1,Bag\n" });

        foreach (var response in new[] { noFile, json })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("file", (await JsonAsync(response)).GetProperty("field").GetString());
        }

        var detail = await DetailAsync(client, jobId);
        Assert.Equal("sent", detail.GetProperty("job").GetProperty("status").GetString());
        Assert.Empty(detail.GetProperty("deliveries").EnumerateArray());
    }

    [Fact]
    public async Task A_good_JSONL_delivery_is_accepted_after_a_refused_one()
    {
        var (jobId, items) = await SentJobAsync(first: 140);
        var refused = await DeliverAsync(client, jobId, "labels.jsonl", Encoding.UTF8.GetBytes("{\"item_id\": 1, \"label\": \"Bag\"}\n"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);

        // Our labels throughout, ids as numbers and as strings, CRLF line ends and a blank line at the end.
        var lines = items.Select((r, i) => i % 2 == 0
            ? JsonSerializer.Serialize(new { item_id = r.ItemId, label = truth[r.SampleId] })
            : JsonSerializer.Serialize(new { item_id = r.ItemId.ToString(CultureInfo.InvariantCulture), sample_id = r.SampleId, label = truth[r.SampleId] }));
        var accepted = await DeliverAsync(client, jobId, "labels.jsonl", Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n"));

        Assert.True(accepted.StatusCode == HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        var delivery = await JsonAsync(accepted);
        Assert.True(delivery.GetProperty("accepted").GetBoolean());
        Assert.Equal((8, 2, 6, 0), (delivery.GetProperty("rows").GetInt32(), delivery.GetProperty("goldItems").GetInt32(), delivery.GetProperty("compareItems").GetInt32(), delivery.GetProperty("disagreements").GetInt32()));
        Assert.Equal(1.0, delivery.GetProperty("goldAccuracy").GetDouble());
        var detail = await DetailAsync(client, jobId);
        Assert.Equal(2, detail.GetProperty("deliveries").GetArrayLength());
        Assert.Equal(delivery.GetProperty("id").GetInt32(), detail.GetProperty("job").GetProperty("latestDelivery").GetProperty("id").GetInt32());
        Assert.Equal("reviewed", detail.GetProperty("job").GetProperty("status").GetString()); // nothing to decide
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/labeling-jobs/{jobId}/disagreements")).EnumerateArray());

        // A bad file after it leaves the accepted delivery and the job as they were.
        var late = await DeliverAsync(client, jobId, "again.csv", Csv(items.Skip(1).Select(r => (r.ItemId, truth[r.SampleId]))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, late.StatusCode);
        var after = await DetailAsync(client, jobId);
        Assert.Equal([false, true, false], after.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("accepted").GetBoolean()));
        Assert.Equal("reviewed", after.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(delivery.GetProperty("id").GetInt32(), after.GetProperty("job").GetProperty("latestDelivery").GetProperty("id").GetInt32());

        // A newer accepted delivery replaces it: the older one is no longer what the job merges.
        var newer = await DeliverAsync(client, jobId, "labels-2.csv", Csv(items.Select(r => (r.ItemId, truth[r.SampleId]))));
        Assert.Equal(HttpStatusCode.Created, newer.StatusCode);
        var stale = await client.PostAsJsonAsync($"/api/labeling-jobs/{jobId}/merge", new { deliveryId = delivery.GetProperty("id").GetInt32() });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("latest", (await JsonAsync(stale)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("reviewed", (await DetailAsync(client, jobId)).GetProperty("job").GetProperty("status").GetString());
    }

    // ---- 3. What a job may not be made of ----

    [Theory]
    [InlineData("no from", "from", 400)]
    [InlineData("unknown kind", "from.kind", 400)]
    [InlineData("drift", "from.kind", 422)]
    [InlineData("samples of two datasets", "from.sampleIds", 422)]
    [InlineData("unknown sample ids", "from.sampleIds", 404)]
    [InlineData("flags of a dataset without flags", "from", 422)]
    [InlineData("more gold than there is", "goldCount", 422)]
    [InlineData("gold that is also an item", "goldSampleIds", 422)]
    [InlineData("negative price", "unitPrice", 422)]
    [InlineData("negative budget", "budget", 422)]
    [InlineData("bad currency", "currency", 422)]
    [InlineData("empty name", "name", 422)]
    [InlineData("repeated label", "labels", 422)]
    public async Task A_job_that_cannot_be_made_is_refused_naming_the_field_and_none_is_made(string kind, string field, int status)
    {
        var cards = (await SamplesAsync(client, await DatasetIdAsync(client, "card-text-test")))[0].GetProperty("id").GetInt64();
        var picked = fashionIds.Skip(200).Take(3).ToList();
        object From(string k = "samples") => new { kind = k, sampleIds = picked };
        object body = kind switch
        {
            "no from" => new { name = "no source", unitPrice = 0.1 },
            "unknown kind" => new { name = "x", from = From("crowd") },
            "drift" => new { name = "x", from = new { kind = "drift", datasetId = fashion } },
            "samples of two datasets" => new { name = "x", from = new { kind = "samples", sampleIds = new[] { picked[0], cards } } },
            "unknown sample ids" => new { name = "x", from = new { kind = "samples", sampleIds = new[] { picked[0], 987654321L } } },
            "flags of a dataset without flags" => new { name = "x", from = new { kind = "flags", datasetId = fashion } },
            "more gold than there is" => new { name = "x", from = From(), goldCount = 2500 },
            "gold that is also an item" => new { name = "x", from = From(), goldSampleIds = new[] { picked[1] } },
            "negative price" => new { name = "x", from = From(), unitPrice = -0.01 },
            "negative budget" => new { name = "x", from = From(), budget = -1 },
            "bad currency" => new { name = "x", from = From(), currency = "EURO" },
            "empty name" => new { name = "  ", from = From() },
            "repeated label" => new { name = "x", from = From(), labels = new[] { "Bag", "Bag" } },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var before = await JobCountAsync();

        var response = await client.PostAsJsonAsync("/api/labeling-jobs", body);

        Assert.Equal(status, (int)response.StatusCode);
        var problem = await JsonAsync(response);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        if (kind == "drift")
        {
            Assert.Contains("no image or sample", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await JobCountAsync());
    }

    [Fact]
    public async Task A_job_over_its_budget_and_past_its_deadline_says_so_until_the_figures_are_fixed()
    {
        var due = DateTimeOffset.UtcNow.AddDays(-2);
        var job = await CreateJobAsync(client, new
        {
            name = "late and dear",
            from = new { kind = "samples", sampleIds = fashionIds.Skip(220).Take(4).ToList() },
            unitPrice = 1.25m,
            currency = "usd",
            budget = 3m,
            deadline = due,
        });
        var id = job.GetProperty("id").GetInt32();

        Assert.Equal(("USD", 5.00m), (job.GetProperty("currency").GetString(), job.GetProperty("cost").GetDecimal()));
        var flags = job.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal(2, flags.Count);
        Assert.StartsWith("Over budget: 4 items × 1.25 USD = 5.00 USD, above the budget of 3.00 USD", flags[0], StringComparison.Ordinal);
        Assert.StartsWith($"Past its deadline of {due.UtcDateTime:yyyy-MM-dd}", flags[1], StringComparison.Ordinal);
        var listed = (await client.GetFromJsonAsync<JsonElement>("/api/labeling-jobs")).GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("id").GetInt32() == id);
        Assert.Equal(flags, listed.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!));

        var fixedUp = await PatchAsync(client, id, new { budget = 5m, deadline = DateTimeOffset.UtcNow.AddDays(7) });
        Assert.Empty(fixedUp.GetProperty("flags").EnumerateArray());
    }

    // ---- 4. Status moves ----

    [Fact]
    public async Task Illegal_moves_are_conflicts_and_a_cancelled_job_refuses_changes_export_and_deliveries()
    {
        var job = await CreateSamplesJobAsync(client, fashionIds.Skip(240).Take(3));
        var id = job.GetProperty("id").GetInt32();
        var items = fashionIds.Skip(240).Take(3).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s},{truth[s]}"));

        foreach (var status in new[] { "delivered", "merged", "inProgress", "reviewed" })
        {
            var refused = await PatchAsync(client, id, new { status }, HttpStatusCode.Conflict);
            Assert.Equal("status", refused.GetProperty("field").GetString());
        }

        Assert.Equal("status", (await PatchAsync(client, id, new { status = "finished" }, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        var onDraft = await DeliverAsync(client, id, "labels.csv", Csv("sample_id,label", items));
        Assert.Equal(HttpStatusCode.Conflict, onDraft.StatusCode);
        Assert.Equal("status", (await JsonAsync(onDraft)).GetProperty("field").GetString());
        Assert.Equal("draft", (await DetailAsync(client, id)).GetProperty("job").GetProperty("status").GetString());

        var sent = await PatchAsync(client, id, new { status = "sent" });
        Assert.Equal(["inProgress", "cancelled"], sent.GetProperty("nextStatuses").EnumerateArray().Select(s => s.GetString()));
        await PatchAsync(client, id, new { status = "delivered" }, HttpStatusCode.Conflict);
        var inProgress = await PatchAsync(client, id, new { status = "in-progress" });
        Assert.Equal("inProgress", inProgress.GetProperty("status").GetString());

        var cancelled = await PatchAsync(client, id, new { status = "cancelled" });
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Empty(cancelled.GetProperty("nextStatuses").EnumerateArray());
        await PatchAsync(client, id, new { name = "renamed" }, HttpStatusCode.Conflict);
        await PatchAsync(client, id, new { status = "sent" }, HttpStatusCode.Conflict);
        var export = await client.GetAsync($"/api/labeling-jobs/{id}/export.zip");
        Assert.Equal(HttpStatusCode.Conflict, export.StatusCode);
        Assert.NotEqual("application/zip", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Conflict, (await DeliverAsync(client, id, "labels.csv", Csv("sample_id,label", items))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/labeling-jobs/{id}/questions", new { text = "Too late?" })).StatusCode);
        var detail = await DetailAsync(client, id);
        Assert.Equal(("cancelled", job.GetProperty("name").GetString()), (detail.GetProperty("job").GetProperty("status").GetString(), detail.GetProperty("job").GetProperty("name").GetString()));
        Assert.Empty(detail.GetProperty("deliveries").EnumerateArray());
        Assert.Empty(detail.GetProperty("questions").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsJsonAsync("/api/labeling-jobs/987654", new { status = "sent" })).StatusCode);
    }

    // ---- 5. Licences ----

    [Theory]
    [InlineData("CC-BY-NC-4.0", false)]
    [InlineData("contract", true)]
    [InlineData("LicenseRef-Customer-Report", true)]
    public async Task A_dataset_whose_licence_forbids_sharing_is_not_exported_and_the_refusal_names_its_samples(string licence, bool commercial)
    {
        var name = $"pets-{Guid.NewGuid():N}";
        var fields = Fields(name);
        (fields["licenceId"], fields["commercialUseAllowed"], fields["moduleName"]) = (licence, commercial ? "true" : "false", DemoContentLoader.FashionModule);
        using var form = Form(fields, ("zip", "pets.zip", PetsZip(4)));
        var uploaded = await client.PostAsync("/api/datasets/upload", form);
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
        var samples = (await SamplesAsync(client, await DatasetIdAsync(client, name))).Select(s => s.GetProperty("id").GetInt64()).ToList();
        var job = await CreateJobAsync(client, new { name = $"relabel {name}", from = new { kind = "samples", sampleIds = samples }, goldCount = 0 });

        var export = await client.GetAsync($"/api/labeling-jobs/{job.GetProperty("id").GetInt32()}/export.zip");

        Assert.Equal(HttpStatusCode.Conflict, export.StatusCode);
        Assert.Equal("application/problem+json", export.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(export);
        Assert.Equal("licence", problem.GetProperty("field").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(licence, detail, StringComparison.Ordinal);
        Assert.All(samples, s => Assert.Contains(s.ToString(CultureInfo.InvariantCulture), detail, StringComparison.Ordinal));
        Assert.True(TempFolderIsEmpty(factory.DataDirectory));
    }

    // ---- 6. Questions and the guide ----

    [Fact]
    public async Task Answered_questions_marked_for_the_guide_become_its_next_versions_clarifications_and_the_zip_says_so()
    {
        var picked = fashionIds.Skip(260).Take(4).ToList();
        var job = await CreateJobAsync(client, new
        {
            name = "questions",
            from = new { kind = "samples", sampleIds = picked },
            guide = "# Fashion relabel\n\nGive each image one of the ten labels.\n",
        });
        var id = job.GetProperty("id").GetInt32();
        var url = $"/api/labeling-jobs/{id}/questions";

        var single = await client.PostAsJsonAsync(url, new { text = "Is a cropped top a T-shirt?", sampleId = picked[1], askedBy = "anna@vendor.example" });
        Assert.Equal(HttpStatusCode.Created, single.StatusCode);
        var first = Assert.Single((await JsonAsync(single)).EnumerateArray());
        Assert.Equal(("anna@vendor.example", picked[1]), (first.GetProperty("askedBy").GetString(), first.GetProperty("sampleId").GetInt64()));
        var imported = await client.PostAsJsonAsync(url, new { questions = new object[] { new { text = "Hoodies: Pullover or Coat?", askedBy = "ben" }, new { text = "What if the image is blank?" } } });
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var two = (await JsonAsync(imported)).EnumerateArray().ToList();
        Assert.Equal(2, two.Count);

        // A list with a sample the job does not have is refused whole; so is a single one, and an empty text.
        var foreign = await client.PostAsJsonAsync(url, new { questions = new object[] { new { text = "fine" }, new { text = "not ours", sampleId = fashionIds[0] } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, foreign.StatusCode);
        Assert.Equal("questions[1].sampleId", (await JsonAsync(foreign)).GetProperty("field").GetString());
        var foreignSingle = await client.PostAsJsonAsync(url, new { text = "not ours", sampleId = fashionIds[0] });
        Assert.Equal("sampleId", (await JsonAsync(foreignSingle)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsJsonAsync(url, new { text = " " })).StatusCode);
        Assert.Equal(3, (await DetailAsync(client, id)).GetProperty("questions").GetArrayLength());

        // Answers: the first goes into the guide, the second only into qna.md, the third stays open.
        var (q1, q2, q3) = (first.GetProperty("id").GetInt32(), two[0].GetProperty("id").GetInt32(), two[1].GetProperty("id").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync($"{url}/{q1}", new { answer = "Yes: label it T-shirt/top.", addToGuide = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync($"{url}/{q2}", new { answer = "Pullover, unless it has buttons.", addToGuide = false })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsJsonAsync($"{url}/987654", new { answer = "?" })).StatusCode);
        Assert.Equal(1, (await DetailAsync(client, id)).GetProperty("job").GetProperty("openQuestions").GetInt32());
        var v1Zip = await ExportAsync(client, id);
        Assert.StartsWith($"> Guide version 1 of labeling job {id}", v1Zip.Text("guide.md"), StringComparison.Ordinal);
        var qna = v1Zip.Text("qna.md");
        Assert.Contains("Yes: label it T-shirt/top.", qna, StringComparison.Ordinal);
        Assert.Contains("Pullover, unless it has buttons.", qna, StringComparison.Ordinal);
        Assert.DoesNotContain("blank", qna, StringComparison.Ordinal);

        // New examples make version 2; it folds in the first answer, and only that one.
        var patched = await PatchAsync(client, id, new { guideExampleSampleIds = new[] { picked[0] } });
        Assert.Equal(2, patched.GetProperty("guideVersion").GetInt32());
        var detail = await DetailAsync(client, id);
        var guides = detail.GetProperty("guides").EnumerateArray().ToList();
        Assert.Equal([1, 2], guides.Select(g => g.GetProperty("version").GetInt32()));
        var v2 = guides[1].GetProperty("markdown").GetString()!;
        Assert.StartsWith("# Fashion relabel", v2, StringComparison.Ordinal);
        Assert.Contains("## Clarifications (version 2)", v2, StringComparison.Ordinal);
        Assert.Contains("Is a cropped top a T-shirt?", v2, StringComparison.Ordinal);
        Assert.Contains("Yes: label it T-shirt/top.", v2, StringComparison.Ordinal);
        Assert.DoesNotContain("buttons", v2, StringComparison.Ordinal);
        Assert.DoesNotContain("Clarifications", guides[0].GetProperty("markdown").GetString()!, StringComparison.Ordinal);
        var folded = detail.GetProperty("questions").EnumerateArray().ToDictionary(q => q.GetProperty("id").GetInt32());
        Assert.Equal(2, folded[q1].GetProperty("foldedIntoGuideVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, folded[q2].GetProperty("foldedIntoGuideVersion").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PatchAsJsonAsync($"{url}/{q1}", new { answer = "changed my mind", addToGuide = true })).StatusCode);

        // The zip's guide is version 2 and says what changed; its example image is in the zip.
        var v2Zip = await ExportAsync(client, id);
        var guide = v2Zip.Text("guide.md");
        Assert.StartsWith($"> Guide version 2 of labeling job {id}", guide, StringComparison.Ordinal);
        Assert.Contains("Changed since version 1: text added at the end (see Clarifications); the examples changed.", guide, StringComparison.Ordinal);
        Assert.Contains("Yes: label it T-shirt/top.", guide, StringComparison.Ordinal);
        Assert.Contains($"examples/{picked[0]}.png", guide, StringComparison.Ordinal);
        Assert.Contains($"examples/{picked[0]}.png", v2Zip.Entries.Keys);

        // The same examples again change nothing: no version 3.
        Assert.Equal(2, (await PatchAsync(client, id, new { guideExampleSampleIds = new[] { picked[0] } })).GetProperty("guideVersion").GetInt32());

        // A rewritten guide is version 3, with the answer given since as its clarification.
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync($"{url}/{q3}", new { answer = "Label it by the outline you can see.", addToGuide = true })).StatusCode);
        Assert.Equal(3, (await PatchAsync(client, id, new { guide = "# Fashion relabel, rewritten\n\nOne label per image.\n" })).GetProperty("guideVersion").GetInt32());
        var v3 = (await DetailAsync(client, id)).GetProperty("guides")[2].GetProperty("markdown").GetString()!;
        Assert.StartsWith("# Fashion relabel, rewritten", v3, StringComparison.Ordinal);
        Assert.Contains("## Clarifications (version 3)", v3, StringComparison.Ordinal);
        Assert.Contains("Label it by the outline you can see.", v3, StringComparison.Ordinal);
        var v3Guide = (await ExportAsync(client, id)).Text("guide.md");
        Assert.StartsWith($"> Guide version 3 of labeling job {id}", v3Guide, StringComparison.Ordinal);
        Assert.Contains("Changed since version 2: the text changed.", v3Guide, StringComparison.Ordinal);
    }

    // ---- 7. Who may do what ----

    [Fact]
    public async Task Modelers_and_planners_may_not_run_labeling_jobs_and_a_data_curator_may_but_approves_no_release()
    {
        var modeler = await ClientOfRoleAsync(factory, QualityHubRoles.Modeler);
        var planner = await ClientOfRoleAsync(factory, QualityHubRoles.Planner);
        var curator = await ClientOfRoleAsync(factory, QualityHubRoles.DataCurator);
        var body = new { name = "by role", from = new { kind = "samples", sampleIds = fashionIds.Skip(280).Take(3).ToList() } };
        var before = await JobCountAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await modeler.PostAsJsonAsync("/api/labeling-jobs", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.PostAsJsonAsync("/api/labeling-jobs", body)).StatusCode);
        Assert.Equal(before, await JobCountAsync());

        var created = await curator.PostAsJsonAsync("/api/labeling-jobs", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var job = await JsonAsync(created);
        var id = job.GetProperty("id").GetInt32();
        Assert.StartsWith("api key labeling DataCurator", job.GetProperty("createdBy").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await curator.PatchAsJsonAsync($"/api/labeling-jobs/{id}", new { status = "sent" })).StatusCode);

        // Everyone reads, the vendor's zip too (a GET, like every read; its images are readable anyway); only curators and admins change a job or merge it.
        Assert.Equal(HttpStatusCode.OK, (await modeler.GetAsync($"/api/labeling-jobs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await planner.GetAsync("/api/labeling-jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await modeler.PostAsJsonAsync($"/api/labeling-jobs/{id}/merge", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await planner.PostAsJsonAsync($"/api/labeling-jobs/{id}/merge", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await modeler.PatchAsJsonAsync($"/api/labeling-jobs/{id}", new { status = "cancelled" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await modeler.GetAsync($"/api/labeling-jobs/{id}/export.zip")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await curator.GetAsync($"/api/labeling-jobs/{id}/export.zip")).StatusCode);
        Assert.Equal("sent", (await DetailAsync(client, id)).GetProperty("job").GetProperty("status").GetString());

        // A data curator approves no release and makes none, but uploads datasets; a planner uploads none.
        var release = (await client.GetFromJsonAsync<JsonElement>("/api/releases")).EnumerateArray().First().GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.Forbidden, (await curator.PostAsJsonAsync($"/api/releases/{release}/approve", new { signOff = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await curator.PostAsJsonAsync("/api/releases", new { name = "curated", rationale = "no", modelVersionIds = new[] { 1 } })).StatusCode);
        var name = $"curated-{Guid.NewGuid():N}";
        using (var form = Form(Fields(name), ("zip", "pets.zip", PetsZip(2))))
        {
            Assert.Equal(HttpStatusCode.Created, (await curator.PostAsync("/api/datasets/upload", form)).StatusCode);
        }

        using (var form = Form(Fields($"planned-{Guid.NewGuid():N}"), ("zip", "pets.zip", PetsZip(2))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await planner.PostAsync("/api/datasets/upload", form)).StatusCode);
        }
    }

    [Fact]
    public async Task A_data_curator_account_is_made_by_the_accounts_API_signs_in_and_makes_a_job()
    {
        var email = $"curator-{Guid.NewGuid():N}@test";
        const string password = "Curator-2026-labels";
        var made = await client.PostAsJsonAsync("/api/admin/users", new { email, password, role = "DataCurator" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.Equal("DataCurator", (await JsonAsync(made)).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsJsonAsync("/api/admin/users", new { email = $"x-{email}", password, role = "Curator" })).StatusCode);

        var browser = factory.CreateBrowser();
        var signIn = await PageForms.PostAsync(browser, "/account/login", "/account/sign-in", new() { ["email"] = email, ["password"] = password, ["returnUrl"] = "/" });
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        Assert.Equal(["DataCurator"], (await browser.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/labeling-jobs")
        {
            Content = JsonContent.Create(new { name = "by a signed-in curator", from = new { kind = "samples", sampleIds = fashionIds.Skip(300).Take(2).ToList() } }),
        };
        request.Headers.Add("Origin", "http://localhost");
        var created = await browser.SendAsync(request);

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Assert.Equal(email, (await JsonAsync(created)).GetProperty("createdBy").GetString());
    }

    // ---- 8. Vendors ----

    [Fact]
    public async Task A_vendors_spend_is_items_times_price_over_its_open_jobs_and_its_gold_accuracy_is_over_every_gold_item_delivered()
    {
        var vendor = $"Vendor {Guid.NewGuid():N}"[..20];

        // Job A: 3 + 2 gold at 0.10 EUR, one gold item wrong. Job B: 2 + 4 gold at 0.25 EUR, all right.
        // Job C: cancelled, not counted. Job D: the same vendor in USD, a row of its own.
        var (a, aItems) = await SentJobAsync(first: 320, vendor, count: 3, gold: 2, unitPrice: 0.10m);
        var (b, bItems) = await SentJobAsync(first: 330, vendor, count: 2, gold: 4, unitPrice: 0.25m);
        var (c, _) = await SentJobAsync(first: 340, vendor, count: 4, gold: 0, unitPrice: 9m);
        await PatchAsync(client, c, new { status = "cancelled" });
        await SentJobAsync(first: 350, vendor, count: 1, gold: 0, unitPrice: 2m, currency: "USD");

        var aPicked = fashionIds.Skip(320).Take(3).ToHashSet();
        var aGold = aItems.Where(r => !aPicked.Contains(r.SampleId)).ToList();
        var wrong = aGold[0].ItemId;
        var deliveredA = await DeliverAsync(client, a, "a.csv", Csv(aItems.Select(r => (r.ItemId, r.ItemId == wrong ? FashionLabels.First(l => l != truth[r.SampleId]) : truth[r.SampleId]))));
        Assert.Equal(0.5, (await JsonAsync(deliveredA)).GetProperty("goldAccuracy").GetDouble());
        var deliveredB = await DeliverAsync(client, b, "b.csv", [.. Encoding.UTF8.Preamble, .. Csv(bItems.Select(r => (r.ItemId, truth[r.SampleId])))]); // as Excel saves it
        Assert.Equal(1.0, (await JsonAsync(deliveredB)).GetProperty("goldAccuracy").GetDouble());

        var vendors = (await client.GetFromJsonAsync<JsonElement>("/api/labeling-jobs")).GetProperty("vendors").EnumerateArray()
            .Where(v => v.GetProperty("vendor").GetString() == vendor).ToDictionary(v => v.GetProperty("currency").GetString()!);
        Assert.Equal(["EUR", "USD"], vendors.Keys.Order());
        var eur = vendors["EUR"];
        Assert.Equal((2, 11), (eur.GetProperty("jobs").GetInt32(), eur.GetProperty("items").GetInt32()));
        Assert.Equal((5 * 0.10m) + (6 * 0.25m), eur.GetProperty("spend").GetDecimal());
        Assert.Equal(5.0 / 6, eur.GetProperty("goldAccuracy").GetDouble(), 12); // 5 of the 6 gold items delivered right
        Assert.Equal(0, eur.GetProperty("lateJobs").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, eur.GetProperty("meanDaysToDeliver").ValueKind);
        var usd = vendors["USD"];
        Assert.Equal((1, 1, 2m), (usd.GetProperty("jobs").GetInt32(), usd.GetProperty("items").GetInt32(), usd.GetProperty("spend").GetDecimal()));
        Assert.Equal(JsonValueKind.Null, usd.GetProperty("goldAccuracy").ValueKind);
    }
}
