using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>
/// Labeling jobs in a real browser: a data curator makes a job from flagged samples, sends it, downloads the vendor's
/// zip, answers a vendor's question into the guide's next version, takes a delivery after refusing a bad one, reviews
/// the disagreements and merges them into the dataset's next version; other roles read the pages and can change nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class LabelingPagesTests(BrowserFixture fixture)
{
    private const string FashionTestSet = "fashion-mnist-test-2000";
    private const string Password = "Labeling-tests-2026";

    /// <summary>
    /// The merge makes version 2 of the demo's Fashion-MNIST test set, and a dataset's newest version is its module's test
    /// set from then on (release board, releases' verdicts, requirements): on the app the other browser tests share, those
    /// pages would measure on a test set no run has seen. So the curator's whole job runs on an app of its own, with the
    /// demo content but without its evaluations (minutes of work): the samples are flagged through the API as the demo's
    /// suspect-label pass would.
    /// </summary>
    private static readonly Dictionary<string, string> OwnApp = new()
    {
        ["Registry__EvaluateDemoModels"] = "false",
        ["Online__DemoEvents"] = "false",
    };

    /// <summary>The whole page from its top (scrolled down, the fixed app bar would be drawn across the middle).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name), FullPage = true });
    }

    [GeneratedRegex(@"/labeling/(\d+)$")]
    private static partial Regex JobUrl();

    [Fact]
    public async Task A_curator_takes_flagged_samples_through_a_vendor_job_to_the_datasets_next_version()
    {
        await using var app = AppProcess.Start(environment: OwnApp);
        await app.WaitUntilListeningAsync();
        using var http = app.CreateHttpClient();
        var dataset = await FashionTestSetAsync(http);
        var truth = await GroundTruthAsync(http, dataset);
        var labels = truth.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        // Eight samples whose label "every candidate disputes", each with the label the models said instead.
        var flagged = truth.OrderBy(t => t.Key).Take(8).ToDictionary(t => t.Key, t => labels.First(l => l != t.Value));
        foreach (var (sample, suggested) in flagged)
        {
            var flag = await http.PutAsJsonAsync($"/api/samples/{sample}/ground-truth-flag", new { suggestedLabel = suggested, reason = $"all candidate models say \"{suggested}\"" });
            Assert.True(flag.IsSuccessStatusCode, await flag.Content.ReadAsStringAsync());
        }

        var curator = await NewUserAsync(http, "DataCurator");
        var page = await fixture.NewPageAsync(app, curator, Password);
        await page.SetViewportSizeAsync(1400, 1800);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        // The new job, from the flags, with four gold items.
        await page.GotoAsync("labeling");
        await Expect(page.Locator(".qh-labeling[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("8 samples are flagged for relabelling in 1 dataset(s).");
        var form = page.Locator(".qh-new-labeling-job");
        await Expect(form.Locator("input[data-field='datasetId']")).ToHaveValueAsync($"{FashionTestSet} — 8 flagged");
        await form.Locator("input[data-field='name']").FillAsync("Disputed Fashion-MNIST labels");
        await form.Locator("input[data-field='goldCount']").FillAsync("4");
        await form.Locator("textarea[data-field='purpose']").FillAsync("Every candidate model disputes these labels; the vendor decides.");
        await form.Locator("input[data-field='vendorName']").FillAsync("Acme Labels");
        await form.Locator("input[data-field='vendorContact']").FillAsync("pm@acme.example");
        await form.Locator("button[data-action='create-labeling-job']").ClickAsync();

        await Expect(page).ToHaveURLAsync(JobUrl());
        var id = int.Parse(JobUrl().Match(page.Url).Groups[1].Value, CultureInfo.InvariantCulture);
        var job = page.Locator($".qh-labeling-job[data-job='{id}']");
        await Expect(job).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(job).ToHaveAttributeAsync("data-status", "draft");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Disputed Fashion-MNIST labels");
        await Expect(job.Locator("[data-fact='items']")).ToHaveTextAsync("12, of them 4 gold (hidden from the vendor)");
        await Expect(job.Locator(".qh-labeling-deliveries")).ToContainTextAsync("Send the job to the vendor first");

        await job.Locator("button[data-action='status-sent']").ClickAsync();
        await Expect(job).ToHaveAttributeAsync("data-status", "sent");
        await Expect(job.Locator("button[data-action='status-sent']")).ToHaveCountAsync(0);
        await Expect(job.Locator("button[data-action='status-inProgress']")).ToHaveCountAsync(1);

        // The vendor's zip: every item's image and the manifest, and nothing that tells a gold item or our label.
        var download = await page.RunAndWaitForDownloadAsync(() => job.Locator("a[data-action='export']").ClickAsync());
        Assert.Equal($"labeling-job-{id}.zip", download.SuggestedFilename);
        var items = new Dictionary<long, long>(); // item id → sample id
        using (var zip = ZipFile.OpenRead(await download.PathAsync()))
        {
            var manifest = ReadEntry(zip, "manifest.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("item_id,sample_id,image,width,height,sha256", manifest[0]);
            foreach (var cells in manifest.Skip(1).Select(l => l.Split(',')))
            {
                items.Add(long.Parse(cells[0], CultureInfo.InvariantCulture), long.Parse(cells[1], CultureInfo.InvariantCulture));
                Assert.Equal($"images/{cells[1]}.png", cells[2]);
                Assert.NotNull(zip.GetEntry(cells[2]));
            }

            Assert.Contains("Disputed Fashion-MNIST labels", ReadEntry(zip, "README.md"));
            Assert.Contains("Guide version 1", ReadEntry(zip, "guide.md"));
        }

        Assert.Equal(12, items.Count);
        Assert.Superset(flagged.Keys.ToHashSet(), items.Values.ToHashSet());
        var gold = items.Values.Except(flagged.Keys).ToList();
        Assert.Equal(4, gold.Count);
        await Expect(page).ToHaveURLAsync(JobUrl()); // the download left the page where it was
        await Expect(job).ToHaveAttributeAsync("data-status", "sent");

        // A vendor's question about one sample, answered into the guide.
        var questions = job.Locator(".qh-labeling-questions");
        var asked = flagged.Keys.First();
        await questions.Locator("input[data-field='question']").FillAsync("Is a cropped sleeve still a shirt?");
        await questions.Locator("input[data-field='sampleId']").FillAsync(asked.ToString(CultureInfo.InvariantCulture));
        await questions.Locator("input[data-field='askedBy']").FillAsync("Acme QA");
        await questions.Locator("button[data-action='ask']").ClickAsync();
        var question = questions.Locator(".qh-labeling-question");
        await Expect(question).ToContainTextAsync("Acme QA");
        await Expect(question).ToContainTextAsync($"sample {asked}");
        await question.Locator("input[data-field='answer']").FillAsync("Yes: label the garment, not the crop.");
        await question.GetByText("add to the guide").ClickAsync();
        await question.Locator("button[data-action='answer']").ClickAsync();
        await Expect(question.Locator(".qh-labeling-answer")).ToContainTextAsync("goes into the next guide version");

        var guide = job.Locator(".qh-labeling-guide");
        await Expect(guide).ToHaveAttributeAsync("data-version", "1");
        await guide.GetByRole(AriaRole.Button, new() { Name = "Write the next version" }).ClickAsync();
        var text = guide.Locator("textarea[data-field='guide']");
        await Expect(text).ToHaveValueAsync(new Regex("^# Disputed Fashion-MNIST labels"));
        await text.FillAsync(await text.InputValueAsync() + "\nWhen in doubt between Shirt and T-shirt/top, look at the collar.\n");
        await guide.Locator("button[data-action='save-guide']").ClickAsync();
        await Expect(guide).ToHaveAttributeAsync("data-version", "2");
        var guideText = guide.Locator(".qh-labeling-guide-text");
        await Expect(guideText).ToContainTextAsync("look at the collar");
        await Expect(guideText.GetByRole(AriaRole.Heading, new() { Name = "Clarifications (version 2)" })).ToBeVisibleAsync();
        await Expect(guideText).ToContainTextAsync("Yes: label the garment, not the crop.");
        await Expect(question.Locator(".qh-labeling-answer")).ToContainTextAsync("in guide version 2");

        // A delivery with one label outside the label set is refused row by row, and nothing changes.
        var deliveries = job.Locator(".qh-labeling-deliveries");
        var file = job.GetByLabel("Delivery file", new() { Exact = true });
        var vendor = items.ToDictionary(i => i.Key, i => truth[i.Value]);
        var disputed = flagged.Keys.Take(4).ToList();
        foreach (var sample in disputed)
        {
            vendor[ItemOf(items, sample)] = flagged[sample]; // the vendor agrees with the models on four of the eight
        }

        var missedGold = gold[0];
        vendor[ItemOf(items, missedGold)] = labels.First(l => l != truth[missedGold]); // and gets one gold item wrong
        var firstItem = items.Keys.Min();
        var bad = new Dictionary<long, string>(vendor) { [firstItem] = "Jumper" };
        await file.SetInputFilesAsync(new FilePayload { Name = "acme-1.csv", MimeType = "text/csv", Buffer = Csv(bad) });
        await Expect(deliveries.Locator(".qh-delivery-refused")).ToContainTextAsync("was refused: 1 problem(s)");
        var report = deliveries.Locator(".qh-delivery-report tbody tr");
        await Expect(report).ToHaveCountAsync(1);
        await Expect(report.Locator("td")).ToHaveTextAsync([new Regex("^1$"), new Regex($"^{firstItem}$"), new Regex("^label$"), new Regex("^\"Jumper\" is not in the job's label set")]);
        await Expect(deliveries.Locator("tr[data-delivery]")).ToHaveCountAsync(1);
        await Expect(deliveries.Locator("tr[data-delivery][data-accepted]")).ToHaveCountAsync(0);
        await Expect(job).ToHaveAttributeAsync("data-status", "sent");
        await Expect(job.Locator(".qh-labeling-review")).ToHaveCountAsync(0);
        var refused = await JobAsync(http, id);
        Assert.Equal("sent", refused.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("job").GetProperty("latestDelivery").ValueKind);

        // The whole file again, right: gold accuracy and κ as the API has them.
        await file.SetInputFilesAsync(new FilePayload { Name = "acme-2.csv", MimeType = "text/csv", Buffer = Csv(vendor) });
        await Expect(job).ToHaveAttributeAsync("data-status", "delivered");
        await Expect(deliveries.Locator(".qh-delivery-refused")).ToHaveCountAsync(0);
        var accepted = deliveries.Locator("tr[data-delivery][data-accepted]");
        await Expect(accepted).ToHaveCountAsync(1);
        var delivery = (await JobAsync(http, id)).GetProperty("deliveries").EnumerateArray().Single(d => d.GetProperty("accepted").GetBoolean());
        var goldAccuracy = delivery.GetProperty("goldAccuracy").GetDouble();
        var kappa = delivery.GetProperty("kappa").GetDouble();
        Assert.Equal(0.75, goldAccuracy);
        Assert.InRange(kappa, 0.0, 0.99);
        await Expect(accepted.Locator("[data-figure='gold']")).ToHaveTextAsync($"{goldAccuracy.ToString("P1", CultureInfo.InvariantCulture)} of 4");
        await Expect(accepted.Locator("[data-figure='kappa']")).ToHaveTextAsync($"{kappa.ToString("0.000", CultureInfo.InvariantCulture)} over 8");

        // The review: the vendor's label taken on one, ours kept on the gold item the vendor missed, one ambiguous, the rest at once.
        var review = job.Locator(".qh-labeling-review");
        await Expect(review).ToHaveAttributeAsync("data-disagreements", "5");
        await Expect(review).ToHaveAttributeAsync("data-undecided", "5");
        await ScreenshotAsync(page, "labeling-job-review.png");
        async Task DecideAsync(long sample, string decision)
        {
            var item = review.Locator($".qh-review-item[data-sample='{sample}']");
            await item.Locator($"button[data-action='{decision}']").ClickAsync();
            await Expect(item).ToHaveAttributeAsync("data-decision", decision);
        }

        await DecideAsync(disputed[0], "acceptVendor");
        await DecideAsync(missedGold, "keepOurs");
        await DecideAsync(disputed[1], "ambiguous");
        await Expect(review).ToHaveAttributeAsync("data-undecided", "2");
        await Expect(job).ToHaveAttributeAsync("data-status", "delivered");
        await review.Locator("button[data-action='accept-all']").ClickAsync();
        await Expect(review).ToHaveAttributeAsync("data-undecided", "0");
        await Expect(review.Locator(".qh-review-item[data-decision='acceptVendor']")).ToHaveCountAsync(3);
        await Expect(job).ToHaveAttributeAsync("data-status", "reviewed");

        // The merge: version 2 of the test set, three labels changed, the flags the review settled closed.
        await review.Locator("button[data-action='merge']").ClickAsync();
        var merged = review.Locator(".qh-merge-result");
        await Expect(merged).ToContainTextAsync("3 label(s) changed of 2,000 samples, 7 flag(s) closed");
        await Expect(job).ToHaveAttributeAsync("data-status", "merged");
        var link = merged.GetByRole(AriaRole.Link, new() { Name = $"{FashionTestSet} v2" });
        await Expect(link).ToBeVisibleAsync();
        // A merged job changes no more: its zip is still there to read, but no moves, questions, guide, upload or decisions.
        await Expect(job.Locator(".qh-review-item button")).ToHaveCountAsync(0);
        Assert.Equal(["export", "job-actions"], (await job.Locator("[data-action]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.action)")).Order());
        await ScreenshotAsync(page, "labeling-job.png");

        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/datasets/\d+$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"{FashionTestSet} v2");
        await Expect(page.GetByText("2,000 samples · test split")).ToBeVisibleAsync();
        var v2 = int.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        var relabelled = await GroundTruthByOrdinalAsync(http, v2);
        var before = await GroundTruthByOrdinalAsync(http, dataset);
        var changed = before.Keys.Where(o => before[o] != relabelled[o]).ToList();
        Assert.Equal(3, changed.Count);

        // The jobs and the vendors' figures, with their charts.
        await page.GotoAsync("labeling");
        await Expect(page.Locator(".qh-labeling[data-interactive='true']")).ToHaveCountAsync(1);
        var row = page.Locator($".qh-labeling-jobs tr[data-job='{id}']");
        await Expect(row).ToHaveAttributeAsync("data-status", "merged");
        await Expect(row).ToContainTextAsync("75.0 %");
        await Expect(page.Locator(".qh-labeling-vendors tr[data-vendor='Acme Labels']")).ToContainTextAsync("0.96 EUR"); // 12 items × 0.08
        await Expect(page.Locator(".qh-plot .main-svg")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator(".qh-plot .barlayer .point")).ToHaveCountAsync(2); // one bar per chart: one vendor
        await ScreenshotAsync(page, "labeling.png");
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("Modeler")]
    [InlineData("Viewer")]
    public async Task Other_roles_read_the_labeling_pages_and_find_nothing_to_change(string role)
    {
        // A job with a delivery waiting for review, made through the API on the shared app (no merge: its test sets stay).
        using var http = fixture.App.CreateHttpClient();
        var dataset = await FashionTestSetAsync(http);
        var truth = await GroundTruthAsync(http, dataset);
        var picked = truth.Keys.Order().Skip(100).Take(6).ToList();
        var created = await http.PostAsJsonAsync("/api/labeling-jobs", new
        {
            name = $"Read-only {role} {Guid.NewGuid():N}"[..30],
            from = new { kind = "samples", sampleIds = picked },
            goldCount = 2,
            vendorName = "Readonly Vendor",
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        (await http.PatchAsJsonAsync($"/api/labeling-jobs/{id}", new { status = "sent" })).EnsureSuccessStatusCode();
        var items = await ManifestAsync(http, id);
        var labels = truth.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        var vendor = items.ToDictionary(i => i.Key, i => truth[i.Value]);
        vendor[ItemOf(items, picked[0])] = labels.First(l => l != truth[picked[0]]);
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(Csv(vendor)), "file", "delivery.csv" } })
        {
            var delivered = await http.PostAsync($"/api/labeling-jobs/{id}/deliveries", form);
            Assert.True(delivered.IsSuccessStatusCode, await delivered.Content.ReadAsStringAsync());
        }

        var email = await NewUserAsync(http, role);
        var page = await fixture.NewPageAsync(email, Password);
        await page.GotoAsync("labeling");
        await Expect(page.Locator(".qh-labeling[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator($".qh-labeling-jobs tr[data-job='{id}']")).ToHaveAttributeAsync("data-status", "delivered");
        await Expect(page.Locator(".qh-new-labeling-job")).ToHaveCountAsync(0);
        await Expect(page.GetByText("New labeling job")).ToHaveCountAsync(0);
        await Expect(page.Locator("main [data-action]")).ToHaveCountAsync(0);

        await page.GotoAsync($"labeling/{id}");
        var job = page.Locator($".qh-labeling-job[data-job='{id}'][data-interactive='true']");
        await Expect(job).ToHaveAttributeAsync("data-status", "delivered");
        var review = job.Locator(".qh-labeling-review");
        await Expect(review).ToHaveAttributeAsync("data-disagreements", "1");
        await Expect(review.Locator(".qh-review-item")).ToHaveCountAsync(1);
        await Expect(job.Locator(".qh-labeling-guide-text")).ToBeVisibleAsync();
        await Expect(job.Locator("tr[data-delivery][data-accepted]")).ToHaveCountAsync(1);
        // No status moves, export, guide editing, questions, upload, review decisions or merge: not even disabled ones.
        await Expect(page.Locator("main [data-action]")).ToHaveCountAsync(0);
        await Expect(job.Locator("button")).ToHaveCountAsync(0);
        await Expect(job.Locator("input")).ToHaveCountAsync(0);
        await Expect(job.GetByText("Write the next version")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, $"labeling-job-{role.ToLowerInvariant()}.png");

        // The error gallery offers no labeling job either.
        var run = (await http.GetFromJsonAsync<JsonElement>("/api/evaluations")).EnumerateArray()
            .Where(r => r.GetProperty("version").GetString() == "fashion-cnn-v1" && r.GetProperty("status").GetString() == "completed").Min(r => r.GetProperty("id").GetInt32());
        await page.GotoAsync($"evaluations/{run}/gallery");
        await Expect(page.Locator(".qh-gallery[data-interactive='true']")).ToHaveCountAsync(1);
        await Expect(page.Locator(".qh-relabel-link")).ToBeVisibleAsync();
        await Expect(page.Locator(".qh-labeling-link")).ToHaveCountAsync(0);
    }

    private static async Task<string> NewUserAsync(HttpClient http, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@qualityhub.test";
        var created = await http.PostAsJsonAsync("/api/admin/users", new { email, password = Password, role });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return email;
    }

    /// <summary>The demo's Fashion-MNIST test set once all its 2,000 samples are in (the rest of the demo may still be loading).</summary>
    private static async Task<int> FashionTestSetAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var datasets = await http.GetFromJsonAsync<JsonElement>("/api/datasets");
            var fashion = datasets.EnumerateArray().FirstOrDefault(d => d.GetProperty("name").GetString() == FashionTestSet);
            if (fashion.ValueKind == JsonValueKind.Object && fashion.GetProperty("samples").GetInt32() == 2000)
            {
                return fashion.GetProperty("id").GetInt32();
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The demo's {FashionTestSet} was not in within 2 minutes.");
    }

    private static async Task<List<JsonElement>> SamplesAsync(HttpClient http, int dataset)
    {
        var samples = new List<JsonElement>();
        for (var skip = 0; ; skip += 1000)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/datasets/{dataset}/samples?skip={skip}&take=1000");
            samples.AddRange(page.GetProperty("items").EnumerateArray());
            if (samples.Count >= page.GetProperty("total").GetInt32())
            {
                return samples;
            }
        }
    }

    private static async Task<Dictionary<long, string>> GroundTruthAsync(HttpClient http, int dataset) =>
        (await SamplesAsync(http, dataset)).ToDictionary(s => s.GetProperty("id").GetInt64(), s => s.GetProperty("groundTruth").GetString()!);

    private static async Task<Dictionary<int, string>> GroundTruthByOrdinalAsync(HttpClient http, int dataset) =>
        (await SamplesAsync(http, dataset)).ToDictionary(s => s.GetProperty("ordinal").GetInt32(), s => s.GetProperty("groundTruth").GetString()!);

    private static async Task<JsonElement> JobAsync(HttpClient http, int id) => await http.GetFromJsonAsync<JsonElement>($"/api/labeling-jobs/{id}");

    /// <summary>The job's items from its zip's manifest: item id → sample id.</summary>
    private static async Task<Dictionary<long, long>> ManifestAsync(HttpClient http, int id)
    {
        await using var stream = await http.GetStreamAsync($"/api/labeling-jobs/{id}/export.zip");
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        return ReadEntry(zip, "manifest.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .ToDictionary(r => long.Parse(r[0], CultureInfo.InvariantCulture), r => long.Parse(r[1], CultureInfo.InvariantCulture));
    }

    private static long ItemOf(Dictionary<long, long> items, long sample) => items.Single(i => i.Value == sample).Key;

    private static string ReadEntry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>A vendor's CSV: item_id,label, one row per item in item order; labels with a slash or comma are quoted.</summary>
    private static byte[] Csv(IReadOnlyDictionary<long, string> labels) =>
        Encoding.UTF8.GetBytes("item_id,label\n" + string.Concat(labels.OrderBy(l => l.Key).Select(l => $"{l.Key},\"{l.Value}\"\n")));
}
