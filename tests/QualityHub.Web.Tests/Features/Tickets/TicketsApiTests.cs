using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Demo;
using QualityHub.Web.Features.Tickets;

namespace QualityHub.Web.Tests.Features.Tickets;

/// <summary>
/// /api/tickets on the demo content: filing with an image (stored or base64), the workflow and its refusals, comments
/// and history, duplicates, the filtered list, reproduce runs on the current candidates, regression sets that
/// evaluations run on, live changes, and every kind of bad input answered specifically with nothing stored.
/// </summary>
public sealed class TicketsApiTests(DemoQualityHubFactory factory) : IClassFixture<DemoQualityHubFactory>, IAsyncLifetime
{
    private readonly HttpClient client = factory.CreateClient();

    public async Task InitializeAsync() => await factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    public Task DisposeAsync()
    {
        foreach (var named in clients.Values)
        {
            named.Dispose();
        }

        return Task.CompletedTask;
    }

    private async Task<T> QueryAsync<T>(Func<QualityHubDbContext, Task<T>> query)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    private Task<Module> FashionAsync() => QueryAsync(db => db.Modules.SingleAsync(m => m.Name == DemoContentLoader.FashionModule));

    /// <summary>A test sample of the fashion module: its image hash, ground truth and PNG bytes.</summary>
    private async Task<(long Id, string Sha, string Truth, byte[] Png)> FashionSampleAsync(int ordinal)
    {
        var module = await FashionAsync();
        var sample = await QueryAsync(db => db.Samples.Where(s => s.Dataset!.ModuleId == module.Id && s.Dataset.Split == DatasetSplit.Test)
            .OrderBy(s => s.DatasetId).ThenBy(s => s.Ordinal).Skip(ordinal).FirstAsync());
        var png = await client.GetByteArrayAsync($"/api/samples/{sample.Id}/image");
        return (sample.Id, sample.ImageSha256, sample.GroundTruth, png);
    }

    private readonly Dictionary<string, HttpClient> clients = [];

    /// <summary>A client that signs in with an API key of its own called <paramref name="name"/> (a modeler's).</summary>
    private async Task<HttpClient> ClientAsAsync(string name)
    {
        if (!clients.TryGetValue(name, out var named))
        {
            var created = await client.PostAsJsonAsync("/api/admin/api-keys", new { name, role = QualityHubRoles.Modeler });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            named = factory.CreateAnonymousClient();
            named.DefaultRequestHeaders.Add("X-Api-Key", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
            clients[name] = named;
        }

        return named;
    }

    private async Task<JsonElement> CreateAsync(object body, HttpClient? by = null)
    {
        var response = await (by ?? client).PostAsJsonAsync("/api/tickets", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private Task<HttpResponseMessage> PostJsonAsync(string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonElement> MoveAsync(int id, object body, HttpStatusCode expected = HttpStatusCode.OK, HttpClient? by = null)
    {
        var response = await (by ?? client).PostAsJsonAsync($"/api/tickets/{id}/status", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task A_ticket_filed_with_a_base64_png_stores_the_image_and_every_field()
    {
        var module = await FashionAsync();
        var version = await QueryAsync(db => db.ModelVersions.FirstAsync(v => v.ModuleId == module.Id));
        var release = await QueryAsync(db => db.Releases.FirstAsync());
        var sample = await FashionSampleAsync(1);

        var ticket = await CreateAsync(new
        {
            title = "Shirt read as a T-shirt",
            description = "Customer photo of a shirt.",
            channel = "support",
            customerSegment = "retail",
            severity = "high",
            moduleId = module.Id,
            releaseId = release.Id,
            modelVersionId = version.Id,
            inputImagePngBase64 = "data:image/png;base64," + Convert.ToBase64String(sample.Png),
            expectedOutput = "Shirt",
            actualOutput = "T-shirt/top",
            tags = new[] { "shirts", "photo" },
            customerReference = "ZD-4411",
            author = "Somebody Typed", // not a field: who files is the caller's sign-in
        }, await ClientAsAsync("support-bot"));

        var id = ticket.GetProperty("id").GetInt32();
        Assert.Equal("New", ticket.GetProperty("status").GetString());
        Assert.Equal("High", ticket.GetProperty("severity").GetString());
        Assert.Equal(module.Name, ticket.GetProperty("module").GetString());
        Assert.Equal(release.Name, ticket.GetProperty("release").GetString());
        Assert.Equal(version.Name, ticket.GetProperty("modelVersion").GetString());
        Assert.Equal(["shirts", "photo"], ticket.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(sample.Sha, ticket.GetProperty("inputImageSha256").GetString()); // the same bytes: the same blob
        Assert.Equal(sample.Png, await client.GetByteArrayAsync($"/api/tickets/{id}/image"));
        var created = Assert.Single(ticket.GetProperty("history").EnumerateArray());
        Assert.Equal(("api key support-bot", "created"), (created.GetProperty("author").GetString(), created.GetProperty("action").GetString()));
        Assert.Equal(("api key support-bot", "ZD-4411"), (ticket.GetProperty("reportedBy").GetString(), ticket.GetProperty("customerReference").GetString()));

        var read = await client.GetFromJsonAsync<JsonElement>($"/api/tickets/{id}");
        Assert.Equal("Customer photo of a shirt.", read.GetProperty("description").GetString());
        Assert.Equal(["Triaged", "WontFix"], read.GetProperty("allowedNext").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task A_ticket_naming_a_stored_image_nothing_references_yet_marks_it_as_just_used_so_a_sweep_keeps_it()
    {
        // As the Compare page does: the image goes into the store, the ticket names it later.
        var store = factory.Services.GetRequiredService<Data.Content.ContentStore>();
        var image = new Inference.Imaging.Image(5, 3, 1);
        image.Pixels[0] = 42;
        var sha = (await store.PutAsync(Inference.Imaging.PngEncoder.Encode(image))).Sha256;
        File.SetLastWriteTimeUtc(store.PathOf(sha), DateTime.UtcNow.AddHours(-5));

        var ticket = await CreateAsync(new { title = "Filed from a comparison", inputImageSha256 = sha });

        Assert.Equal(sha, ticket.GetProperty("inputImageSha256").GetString());
        Assert.True(File.GetLastWriteTimeUtc(store.PathOf(sha)) > DateTime.UtcNow.AddHours(-1));
    }

    [Fact]
    public async Task A_JPEG_input_image_is_stored_as_the_PNG_of_its_pixels()
    {
        var sample = await FashionSampleAsync(2);
        var jpeg = TestJpeg.Of(Inference.Imaging.ImageDecoder.Decode(sample.Png), quality: 60);

        var ticket = await CreateAsync(new { title = "Photo of a bag, sent as JPEG", inputImagePngBase64 = Convert.ToBase64String(jpeg) });

        var stored = await client.GetByteArrayAsync($"/api/tickets/{ticket.GetProperty("id").GetInt32()}/image");
        Assert.True(Inference.Imaging.ImageDecoder.IsPng(stored));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored)), ticket.GetProperty("inputImageSha256").GetString());
        var decoded = Inference.Imaging.ImageDecoder.Decode(stored);
        Assert.Equal((28, 28, 1), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(Inference.Imaging.ImageDecoder.Decode(jpeg).Pixels, decoded.Pixels);
    }

    [Fact]
    public async Task A_model_version_alone_implies_its_module_and_a_version_of_another_module_is_refused()
    {
        var fashion = await FashionAsync();
        var other = await QueryAsync(db => db.ModelVersions.FirstAsync(v => v.ModuleId != fashion.Id));
        var ticket = await CreateAsync(new { title = "module from version", modelVersionId = other.Id });
        Assert.Equal(other.ModuleId, ticket.GetProperty("moduleId").GetInt32());

        var response = await client.PostAsJsonAsync("/api/tickets", new { title = "mismatch", moduleId = fashion.Id, modelVersionId = other.Id });
        await ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "modelVersionId");
    }

    public static TheoryData<string, HttpStatusCode, string> BadBodies => new()
    {
        { "{ \"title\": \"unterminated", HttpStatusCode.BadRequest, "title" },
        { "{ \"title\": \"x\", \"tags\": \"not-a-list\" }", HttpStatusCode.BadRequest, "tags" },
        { "[1, 2, 3]", HttpStatusCode.BadRequest, "body" },
        { "", HttpStatusCode.BadRequest, "body" },
        { "{ \"description\": \"no title\" }", HttpStatusCode.BadRequest, "title" },
        { "{ \"title\": \"   \" }", HttpStatusCode.BadRequest, "title" },
        { "{ \"title\": \"x\", \"severity\": \"urgent\" }", HttpStatusCode.BadRequest, "severity" },
        { "{ \"title\": \"x\", \"severity\": \"2\" }", HttpStatusCode.BadRequest, "severity" },
        { "{ \"title\": \"x\", \"moduleId\": 999999 }", HttpStatusCode.NotFound, "moduleId" },
        { "{ \"title\": \"x\", \"releaseId\": 999999 }", HttpStatusCode.NotFound, "releaseId" },
        { "{ \"title\": \"x\", \"modelVersionId\": 999999 }", HttpStatusCode.NotFound, "modelVersionId" },
        { "{ \"title\": \"x\", \"sampleId\": 999999999 }", HttpStatusCode.NotFound, "sampleId" },
        { "{ \"title\": \"x\", \"runId\": 999999 }", HttpStatusCode.NotFound, "runId" },
        { "{ \"title\": \"x\", \"inputImageSha256\": \"../../etc/passwd\" }", HttpStatusCode.BadRequest, "inputImageSha256" },
        { "{ \"title\": \"x\", \"inputImageSha256\": \"" + new string('a', 64) + "\" }", HttpStatusCode.NotFound, "inputImageSha256" },
        { "{ \"title\": \"x\", \"inputImagePngBase64\": \"%%% not base64 %%%\" }", HttpStatusCode.BadRequest, "inputImagePngBase64" },
        { "{ \"title\": \"x\", \"inputImagePngBase64\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("GIF89a this is not a png at all")) + "\" }", HttpStatusCode.UnprocessableEntity, "inputImagePngBase64" },
        { "{ \"title\": \"" + new string('t', TicketLimits.Title + 1) + "\" }", HttpStatusCode.BadRequest, "title" },
        { "{ \"title\": \"x\", \"description\": \"" + new string('d', TicketLimits.Description + 1) + "\" }", HttpStatusCode.BadRequest, "description" },
        { "{ \"title\": \"x\", \"expectedOutput\": \"" + new string('e', TicketLimits.Output + 1) + "\" }", HttpStatusCode.BadRequest, "expectedOutput" },
        { "{ \"title\": \"x\", \"tags\": [\"" + new string('g', TicketLimits.Tag + 1) + "\"] }", HttpStatusCode.BadRequest, "tags" },
        { "{ \"title\": \"x\", \"customerReference\": \"" + new string('a', TicketLimits.CustomerReference + 1) + "\" }", HttpStatusCode.BadRequest, "customerReference" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_gets_a_specific_problem_naming_the_field_and_stores_nothing(string body, HttpStatusCode status, string field)
    {
        var tickets = await QueryAsync(db => db.VocTickets.CountAsync());
        var events = await QueryAsync(db => db.TicketEvents.CountAsync());
        var blobs = Directory.GetFiles(Path.Combine(factory.DataDirectory, "store"), "*", SearchOption.AllDirectories).Length;

        await ProblemAsync(await PostJsonAsync("/api/tickets", body), status, field);

        Assert.Equal(tickets, await QueryAsync(db => db.VocTickets.CountAsync()));
        Assert.Equal(events, await QueryAsync(db => db.TicketEvents.CountAsync()));
        Assert.Equal(blobs, Directory.GetFiles(Path.Combine(factory.DataDirectory, "store"), "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task A_valid_image_on_an_otherwise_refused_ticket_is_not_stored()
    {
        var png = PngOf(7, 9, seed: 41); // an image no other test stores
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png));
        var response = await client.PostAsJsonAsync("/api/tickets", new { title = "x", moduleId = 999999, inputImagePngBase64 = Convert.ToBase64String(png) });
        await ProblemAsync(response, HttpStatusCode.NotFound, "moduleId");
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "store", sha[..2], sha[2..])));
    }

    [Fact]
    public async Task A_ticket_from_a_gallery_item_links_to_its_sample_and_the_run_whose_answer_it_is_about()
    {
        var module = await FashionAsync();
        var sample = await FashionSampleAsync(5);
        var (version, fashionSet, cardSample) = await QueryAsync(async db => (
            await db.ModelVersions.Where(v => v.ModuleId == module.Id).Select(v => v.Id).FirstAsync(),
            await db.Samples.Where(s => s.Id == sample.Id).Select(s => s.DatasetId).SingleAsync(),
            await db.Samples.Where(s => s.Dataset!.ModuleId != module.Id).Select(s => s.Id).FirstAsync()));
        var started = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version, datasetId = fashionSet });
        var run = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var ticket = await CreateAsync(new { title = "Seen in the gallery", moduleId = module.Id, sampleId = sample.Id, runId = run });

        Assert.Equal((sample.Id, fashionSet, run), (ticket.GetProperty("sampleId").GetInt64(), ticket.GetProperty("sampleDatasetId").GetInt32(), ticket.GetProperty("runId").GetInt32()));
        // A run on another dataset than the sample's is not where it was seen.
        var mismatched = await client.PostAsJsonAsync("/api/tickets", new { title = "wrong run", sampleId = cardSample, runId = run });
        await ProblemAsync(mismatched, HttpStatusCode.UnprocessableEntity, "runId");
    }

    [Fact]
    public async Task The_workflow_allows_only_legal_moves_and_records_each_in_the_history()
    {
        var release = await QueryAsync(db => db.Releases.OrderBy(r => r.Id).FirstAsync());
        var (ana, ben, cy) = (await ClientAsAsync("ana"), await ClientAsAsync("ben"), await ClientAsAsync("cy"));
        var id = (await CreateAsync(new { title = "workflow" }, ana)).GetProperty("id").GetInt32();

        var skip = await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "fixed", fixedInReleaseId = release.Id });
        var problem = await ProblemAsync(skip, HttpStatusCode.Conflict, "status");
        Assert.Contains("new cannot move to fixed", problem.GetProperty("detail").GetString());
        Assert.Contains("triaged or won't fix", problem.GetProperty("detail").GetString());
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "done" }), HttpStatusCode.BadRequest, "status");
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "new" }), HttpStatusCode.Conflict, "status");
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { }), HttpStatusCode.BadRequest, "status");
        await ProblemAsync(await PostJsonAsync($"/api/tickets/{id}/status", "{ \"status\": "), HttpStatusCode.BadRequest, "status");
        await ProblemAsync(await client.PostAsJsonAsync("/api/tickets/999999/status", new { status = "triaged" }), HttpStatusCode.NotFound, "id");

        await MoveAsync(id, new { status = "Triaged", note = "Looks like the shirt confusion." }, by: ben);
        await MoveAsync(id, new { status = "reproduced" }, by: ben);
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "fixed" }), HttpStatusCode.UnprocessableEntity, "fixedInReleaseId");
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "fixed", fixedInReleaseId = 999999 }), HttpStatusCode.NotFound, "fixedInReleaseId");
        var fixedTicket = await MoveAsync(id, new { status = "fixed", fixedInReleaseId = release.Id }, by: cy);
        Assert.Equal(release.Id, fixedTicket.GetProperty("fixedInReleaseId").GetInt32());
        Assert.Equal(release.Name, fixedTicket.GetProperty("fixedInRelease").GetString());
        var closed = await MoveAsync(id, new { status = "closed" }, by: ana);
        Assert.Empty(closed.GetProperty("allowedNext").EnumerateArray());
        Assert.Equal(release.Id, closed.GetProperty("fixedInReleaseId").GetInt32()); // closing keeps where it was fixed
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/status", new { status = "triaged" }), HttpStatusCode.Conflict, "status");

        var history = closed.GetProperty("history").EnumerateArray()
            .Select(e => $"{e.GetProperty("author").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("from").GetString()}→{e.GetProperty("to").GetString()}").ToList();
        Assert.Equal(
            ["api key ana created →new", "api key ben status new→triaged", "api key ben status triaged→reproduced", "api key cy status reproduced→fixed", $"api key cy fixed in release →{release.Name}", "api key ana status fixed→closed"],
            history);
        var note = Assert.Single(closed.GetProperty("comments").EnumerateArray());
        Assert.Equal(("api key ben", "Looks like the shirt confusion."), (note.GetProperty("author").GetString(), note.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task A_move_by_PATCH_is_the_same_as_by_POST()
    {
        var id = (await CreateAsync(new { title = "patched move" })).GetProperty("id").GetInt32();
        var moved = await client.PatchAsJsonAsync($"/api/tickets/{id}/status", new { status = "triaged" });
        Assert.Equal("Triaged", (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await ProblemAsync(await client.PatchAsJsonAsync($"/api/tickets/{id}/status", new { status = "closed" }), HttpStatusCode.Conflict, "status");
    }

    [Fact]
    public async Task A_subscriber_that_throws_does_not_fail_filing_or_the_other_subscribers()
    {
        var notifier = factory.Services.GetRequiredService<TicketNotifier>();
        var heard = 0;
        using var failing = notifier.Subscribe(_ => throw new InvalidOperationException("a broken page"));
        using var working = notifier.Subscribe(_ => Interlocked.Increment(ref heard));
        await CreateAsync(new { title = "filed despite a broken subscriber" });
        Assert.True(Volatile.Read(ref heard) >= 1);
    }

    private static string InputNamed(string html, string name) =>
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, $"<input[^>]*name=\"{name}\"[^>]*>")).Value;

    [Fact]
    public async Task The_new_ticket_page_takes_its_prefill_from_the_query()
    {
        var module = await FashionAsync();
        var html = await client.GetStringAsync(
            $"/tickets/new?moduleId={module.Id}&title={Uri.EscapeDataString("Correction rate over 5 %")}&description={Uri.EscapeDataString("From the Overview's alert")}&severity=high");
        Assert.Contains("value=\"Correction rate over 5 %\"", html);
        Assert.Contains("From the Overview&#x27;s alert", html);
        // The selects show the chosen item's name in their input.
        Assert.Contains($"value=\"{module.Name}\"", InputNamed(html, "moduleId"));
        Assert.Contains("value=\"high\"", InputNamed(html, "severity"));

        var sample = await FashionSampleAsync(2);
        var fromGallery = await client.GetStringAsync($"/tickets/new?sampleId={sample.Id}");
        Assert.Contains($"api/tickets/images/{sample.Sha}", fromGallery);
        Assert.Contains($"value=\"{sample.Truth}\"", fromGallery);
        Assert.Equal(sample.Png, await client.GetByteArrayAsync($"/api/tickets/images/{sample.Sha}"));

        // The preview serves stored PNGs only, not every blob (the store holds model files too).
        var model = await QueryAsync(db => db.ModelVersions.Select(v => v.Sha256).FirstAsync());
        await ProblemAsync(await client.GetAsync($"/api/tickets/images/{model}"), HttpStatusCode.NotFound, "sha256");
    }

    [Fact]
    public async Task Wont_fix_can_be_reopened_and_reopening_clears_no_history()
    {
        var id = (await CreateAsync(new { title = "wont fix" })).GetProperty("id").GetInt32();
        await MoveAsync(id, new { status = "won't fix" });
        var reopened = await MoveAsync(id, new { status = "triaged" });
        Assert.Equal("Triaged", reopened.GetProperty("status").GetString());
        Assert.Equal(["created", "status", "status"], reopened.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Comments_assignee_and_field_changes_are_kept_and_each_change_is_a_history_line()
    {
        var id = (await CreateAsync(new { title = "edit me", severity = "low", tags = new[] { "a" } })).GetProperty("id").GetInt32();
        var comment = await client.PostAsJsonAsync($"/api/tickets/{id}/comments", new { text = "First look: blurry photo." });
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/comments", new { text = " " }), HttpStatusCode.BadRequest, "text");
        await ProblemAsync(await client.PostAsJsonAsync($"/api/tickets/{id}/comments", new { text = new string('c', TicketLimits.Comment + 1) }), HttpStatusCode.BadRequest, "text");
        await ProblemAsync(await client.PostAsJsonAsync("/api/tickets/999999/comments", new { text = "x" }), HttpStatusCode.NotFound, "id");

        var patched = await client.PatchAsJsonAsync($"/api/tickets/{id}", new { assignee = "eve", severity = "blocker", tags = new[] { "a", "b" } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await ProblemAsync(await client.PatchAsJsonAsync($"/api/tickets/{id}", new { severity = "meh" }), HttpStatusCode.BadRequest, "severity");

        var ticket = await client.GetFromJsonAsync<JsonElement>($"/api/tickets/{id}");
        Assert.Equal(("eve", "Blocker"), (ticket.GetProperty("assignee").GetString(), ticket.GetProperty("severity").GetString()));
        var only = Assert.Single(ticket.GetProperty("comments").EnumerateArray());
        Assert.Equal(("First look: blurry photo.", "api key QUALITYHUB_API_KEY"), (only.GetProperty("text").GetString(), only.GetProperty("author").GetString()));
        Assert.All(ticket.GetProperty("history").EnumerateArray(), e => Assert.Equal("api key QUALITYHUB_API_KEY", e.GetProperty("author").GetString()));
        Assert.Equal(
            ["created", "comment", "severity low→blocker", "assignee →eve", "tags a→a, b"],
            ticket.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString() switch
            {
                "created" or "comment" => e.GetProperty("action").GetString(),
                var action => $"{action} {e.GetProperty("from").GetString()}→{e.GetProperty("to").GetString()}",
            }));
    }

    [Fact]
    public async Task Likely_duplicates_are_the_same_image_or_the_same_module_with_the_same_expected_and_actual_pair()
    {
        var module = await FashionAsync();
        var sample = await FashionSampleAsync(5);
        var first = await CreateAsync(new { title = "dup one", moduleId = module.Id, inputImageSha256 = sample.Sha, expectedOutput = "Coat", actualOutput = "Pullover" });
        Assert.Empty(first.GetProperty("duplicates").EnumerateArray());

        var sameImage = await CreateAsync(new { title = "dup two", inputImagePngBase64 = Convert.ToBase64String(sample.Png) });
        var byImage = Assert.Single(sameImage.GetProperty("duplicates").EnumerateArray());
        Assert.Equal((first.GetProperty("id").GetInt32(), "same input image"), (byImage.GetProperty("id").GetInt32(), byImage.GetProperty("reason").GetString()));

        var samePair = await CreateAsync(new { title = "dup three", moduleId = module.Id, expectedOutput = " Coat ", actualOutput = "Pullover" });
        var byPair = Assert.Single(samePair.GetProperty("duplicates").EnumerateArray());
        Assert.Equal(first.GetProperty("id").GetInt32(), byPair.GetProperty("id").GetInt32());
        Assert.Contains("expected 'Coat', got 'Pullover'", byPair.GetProperty("reason").GetString());

        // The other way round is not the same complaint, and neither is another module's pair.
        var swapped = await CreateAsync(new { title = "dup four", moduleId = module.Id, expectedOutput = "Pullover", actualOutput = "Coat" });
        Assert.Empty(swapped.GetProperty("duplicates").EnumerateArray());

        // The first ticket now sees both later ones; the check before filing sees them too.
        var again = await client.GetFromJsonAsync<JsonElement>($"/api/tickets/{first.GetProperty("id").GetInt32()}");
        Assert.Equal(2, again.GetProperty("duplicates").GetArrayLength());
        var check = await (await client.PostAsJsonAsync("/api/tickets/duplicates", new { inputImageSha256 = sample.Sha })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, check.GetArrayLength());
    }

    [Fact]
    public async Task The_list_filters_by_status_severity_module_tag_and_text_and_pages_on_the_server()
    {
        var module = await FashionAsync();
        var marker = $"zebra{Guid.NewGuid():N}"[..16];
        for (var i = 0; i < 7; i++)
        {
            await CreateAsync(new { title = $"{marker} list {i}", severity = i % 2 == 0 ? "high" : "low", moduleId = i < 3 ? module.Id : (int?)null, tags = i == 6 ? new[] { marker } : [] });
        }

        async Task<JsonElement> ListAsync(string query) => await client.GetFromJsonAsync<JsonElement>($"/api/tickets?q={marker}&{query}");
        Assert.Equal(7, (await ListAsync("")).GetProperty("total").GetInt32());
        Assert.Equal(4, (await ListAsync("severity=HIGH")).GetProperty("total").GetInt32());
        Assert.Equal(3, (await ListAsync($"moduleId={module.Id}")).GetProperty("total").GetInt32());
        Assert.Equal(2, (await ListAsync($"moduleId={module.Id}&severity=high")).GetProperty("total").GetInt32());
        Assert.Equal(7, (await ListAsync("status=new")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await ListAsync("status=triaged")).GetProperty("total").GetInt32());
        var tagged = await client.GetFromJsonAsync<JsonElement>($"/api/tickets?tag={marker}");
        Assert.Equal($"{marker} list 6", Assert.Single(tagged.GetProperty("items").EnumerateArray()).GetProperty("title").GetString());

        var page = await ListAsync("skip=2&take=3");
        Assert.Equal(7, page.GetProperty("total").GetInt32());
        Assert.Equal([$"{marker} list 4", $"{marker} list 3", $"{marker} list 2"], page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("title").GetString()));

        await ProblemAsync(await client.GetAsync("/api/tickets?status=open-ish"), HttpStatusCode.BadRequest, "status");
        await ProblemAsync(await client.GetAsync("/api/tickets?severity=5"), HttpStatusCode.BadRequest, "severity");
        await ProblemAsync(await client.GetAsync("/api/tickets?take=100000"), HttpStatusCode.BadRequest, "take");
        await ProblemAsync(await client.GetAsync("/api/tickets?skip=-1"), HttpStatusCode.BadRequest, "skip");
        await ProblemAsync(await client.GetAsync("/api/tickets/999999"), HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task Text_search_takes_wildcards_literally()
    {
        var marker = $"pct{Guid.NewGuid():N}"[..12];
        await CreateAsync(new { title = $"{marker} accuracy dropped 100%" });
        await CreateAsync(new { title = $"{marker} accuracy dropped 1000" });
        var found = await client.GetFromJsonAsync<JsonElement>($"/api/tickets?q={Uri.EscapeDataString(marker + " accuracy dropped 100%")}");
        Assert.Equal(1, found.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Reproduce_runs_the_input_through_the_current_candidates_and_checks_each_against_the_expected_output()
    {
        var module = await FashionAsync();
        var sample = await FashionSampleAsync(3);
        var current = await QueryAsync(db => db.ModelVersions.Where(v => v.ModuleId == module.Id && v.Status != ModelStatus.Retired && v.ModelCardJson != null)
            .Select(v => new { v.Id, v.Name, v.Status }).ToListAsync());
        Assert.InRange(current.Count, 2, 4); // the demo: a released version and at least one candidate

        var id = (await CreateAsync(new { title = "reproduce me", moduleId = module.Id, inputImageSha256 = sample.Sha, expectedOutput = sample.Truth })).GetProperty("id").GetInt32();
        var response = await (await ClientAsAsync("fay")).PostAsync($"/api/tickets/{id}/reproduce", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reproduction = await response.Content.ReadFromJsonAsync<JsonElement>();
        var results = reproduction.GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(current.Select(v => v.Id).Order(), results.Select(r => r.GetProperty("modelVersionId").GetInt32()).Order());
        Assert.Equal(current.Single(v => v.Status == ModelStatus.Released).Id, results[0].GetProperty("modelVersionId").GetInt32()); // what customers have, first
        foreach (var r in results)
        {
            Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind);
            Assert.Equal(r.GetProperty("output").GetString() == sample.Truth, r.GetProperty("correct").GetBoolean());
        }

        Assert.Equal(results.Count(r => !r.GetProperty("correct").GetBoolean()), reproduction.GetProperty("wrong").GetInt32());
        var ticket = await client.GetFromJsonAsync<JsonElement>($"/api/tickets/{id}");
        var line = ticket.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("api key fay", "reproduce run"), (line.GetProperty("author").GetString(), line.GetProperty("action").GetString()));
        Assert.All(results, r => Assert.Contains(r.GetProperty("name").GetString()!, line.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task Reproduce_and_regression_refuse_a_ticket_without_module_image_or_expected_output()
    {
        var bare = (await CreateAsync(new { title = "nothing attached" })).GetProperty("id").GetInt32();
        await ProblemAsync(await client.PostAsync($"/api/tickets/{bare}/reproduce", null), HttpStatusCode.UnprocessableEntity, "moduleId");
        await ProblemAsync(await client.PostAsync($"/api/tickets/{bare}/regression", null), HttpStatusCode.UnprocessableEntity, "moduleId");
        await ProblemAsync(await client.PostAsync("/api/tickets/999999/reproduce", null), HttpStatusCode.NotFound, "id");

        var module = await FashionAsync();
        var noImage = (await CreateAsync(new { title = "no image", moduleId = module.Id, expectedOutput = "Bag" })).GetProperty("id").GetInt32();
        await ProblemAsync(await client.PostAsync($"/api/tickets/{noImage}/reproduce", null), HttpStatusCode.UnprocessableEntity, "inputImageSha256");

        var sample = await FashionSampleAsync(4);
        var noExpected = (await CreateAsync(new { title = "no expected", moduleId = module.Id, inputImageSha256 = sample.Sha })).GetProperty("id").GetInt32();
        await ProblemAsync(await client.PostAsync($"/api/tickets/{noExpected}/regression", null), HttpStatusCode.UnprocessableEntity, "expectedOutput");
        var unknownLabel = (await CreateAsync(new { title = "bad label", moduleId = module.Id, inputImageSha256 = sample.Sha, expectedOutput = "Hat" })).GetProperty("id").GetInt32();
        await ProblemAsync(await client.PostAsync($"/api/tickets/{unknownLabel}/regression", null), HttpStatusCode.UnprocessableEntity, "expectedOutput");
    }

    [Fact]
    public async Task A_tickets_input_joins_the_modules_regression_set_once_and_evaluations_run_on_it()
    {
        var module = await FashionAsync();
        var (a, b) = (await FashionSampleAsync(10), await FashionSampleAsync(11));
        var first = (await CreateAsync(new { title = "regress a", channel = "support", moduleId = module.Id, inputImageSha256 = a.Sha, expectedOutput = a.Truth, tags = new[] { "field" } })).GetProperty("id").GetInt32();
        var second = (await CreateAsync(new { title = "regress b", moduleId = module.Id, inputImageSha256 = b.Sha, expectedOutput = b.Truth })).GetProperty("id").GetInt32();

        var added = await (await (await ClientAsAsync("gus")).PostAsync($"/api/tickets/{first}/regression", null)).Content.ReadFromJsonAsync<JsonElement>();
        var datasetId = added.GetProperty("datasetId").GetInt32();
        var again = await (await client.PostAsync($"/api/tickets/{first}/regression", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((added.GetProperty("sampleId").GetInt64(), false), (again.GetProperty("sampleId").GetInt64(), again.GetProperty("created").GetBoolean()));
        var next = await (await client.PostAsync($"/api/tickets/{second}/regression", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(datasetId, next.GetProperty("datasetId").GetInt32());

        var dataset = await QueryAsync(db => db.Datasets.Include(d => d.Samples).SingleAsync(d => d.Id == datasetId));
        Assert.Equal((DatasetSplit.Regression, module.Id, RegressionSets.LicenceId, RegressionSets.Terms), (dataset.Split, dataset.ModuleId, dataset.LicenceId, dataset.Attribution));
        Assert.False(dataset.CommercialUseAllowed);
        Assert.Equal(2, dataset.Samples.Count);
        var sampleA = dataset.Samples.Single(s => s.Id == added.GetProperty("sampleId").GetInt64());
        Assert.Equal((a.Sha, a.Truth), (sampleA.ImageSha256, sampleA.GroundTruth));
        Assert.Contains($"ticket-{first}", sampleA.Tags);
        Assert.Contains("field", sampleA.Tags);
        var ticket = await client.GetFromJsonAsync<JsonElement>($"/api/tickets/{first}");
        Assert.Equal(datasetId, ticket.GetProperty("regressionDatasetId").GetInt32());
        Assert.Equal("api key gus", ticket.GetProperty("history").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "regression set").GetProperty("author").GetString());

        // It is an ordinary dataset: listed with the others, and a model version evaluates on it.
        var datasets = await client.GetFromJsonAsync<JsonElement>("/api/datasets");
        Assert.Contains(datasets.EnumerateArray(), d => d.GetProperty("id").GetInt32() == datasetId);
        var version = await QueryAsync(db => db.ModelVersions.FirstAsync(v => v.ModuleId == module.Id && v.Status == ModelStatus.Candidate && v.ModelCardJson != null));
        var queued = await client.PostAsJsonAsync("/api/evaluations", new { modelVersionId = version.Id, datasetId });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var run = await EvaluationRuns.WaitAsync(client, (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(2, (await EvaluationRuns.PredictionsAsync(client, run.GetProperty("id").GetInt32())).Count);
    }

    [Fact]
    public async Task The_notifier_hears_created_and_updated_tickets()
    {
        var heard = new List<TicketChange>();
        using (factory.Services.GetRequiredService<TicketNotifier>().Subscribe(change => { lock (heard) { heard.Add(change); } }))
        {
            var id = (await CreateAsync(new { title = "live one", severity = "blocker" })).GetProperty("id").GetInt32();
            await MoveAsync(id, new { status = "triaged" });
            lock (heard)
            {
                Assert.Contains(new TicketChange(id, "live one", TicketStatus.New, TicketSeverity.Blocker, null, TicketChangeKind.Created), heard);
                Assert.Contains(new TicketChange(id, "live one", TicketStatus.Triaged, TicketSeverity.Blocker, null, TicketChangeKind.Updated), heard);
            }
        }

        var count = heard.Count;
        await CreateAsync(new { title = "after unsubscribing" });
        Assert.Equal(count, heard.Count);
    }

    [Fact]
    public async Task Script_in_ticket_text_is_stored_as_given_and_the_page_shows_it_as_text()
    {
        const string script = "<script>alert(1)</script>";
        const string img = "<img src=x onerror=alert(2)>";
        var ticket = await CreateAsync(new { title = script, description = img, expectedOutput = img, tags = new[] { "<b>bold</b>" } });
        var id = ticket.GetProperty("id").GetInt32();
        Assert.Equal(script, ticket.GetProperty("title").GetString());
        Assert.Equal(img, ticket.GetProperty("description").GetString());

        var html = await client.GetStringAsync($"/tickets/{id}");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.DoesNotContain(script, html);
        Assert.DoesNotContain(img, html);
        Assert.DoesNotContain("<b>bold</b>", html);
    }

    [Fact]
    public async Task Counts_per_severity_release_and_tag_follow_the_tickets()
    {
        var release = await QueryAsync(db => db.Releases.OrderBy(r => r.Id).FirstAsync());
        var tag = $"count{Guid.NewGuid():N}"[..12];
        var before = await client.GetFromJsonAsync<JsonElement>("/api/tickets/counts");
        int Open(JsonElement counts, string list, string key) =>
            counts.GetProperty(list).EnumerateArray().Where(c => c.GetProperty("key").GetString() == key).Select(c => c.GetProperty("open").GetInt32()).FirstOrDefault();

        var id = (await CreateAsync(new { title = "counted", severity = "blocker", releaseId = release.Id, tags = new[] { tag } })).GetProperty("id").GetInt32();
        await CreateAsync(new { title = "counted too", severity = "blocker", releaseId = release.Id, tags = new[] { tag } });
        await MoveAsync(id, new { status = "won't fix" });

        var after = await client.GetFromJsonAsync<JsonElement>("/api/tickets/counts");
        Assert.Equal(Open(before, "bySeverity", "blocker") + 1, Open(after, "bySeverity", "blocker"));
        Assert.Equal(Open(before, "byRelease", release.Name) + 1, Open(after, "byRelease", release.Name));
        var byTag = after.GetProperty("byTag").EnumerateArray().Single(c => c.GetProperty("key").GetString() == tag);
        Assert.Equal((1, 2), (byTag.GetProperty("open").GetInt32(), byTag.GetProperty("total").GetInt32()));

        var overview = await client.GetStringAsync("/");
        Assert.Contains("VOC tickets", overview);
        Assert.Contains($"data-key=\"{tag}\"", overview);
    }

    /// <summary>A small grey PNG whose bytes depend on <paramref name="seed"/>.</summary>
    internal static byte[] PngOf(int width, int height, int seed)
    {
        var pixels = new byte[width * height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * 31) + seed);
        }

        return Inference.Imaging.PngEncoder.Encode(new Inference.Imaging.Image(width, height, 1, pixels));
    }
}

/// <summary>An image over the configured limit is refused with 413 before it is decoded or stored.</summary>
public sealed class TicketImageLimitTests : IAsyncLifetime
{
    private readonly ConfiguredQualityHubFactory factory = new(
        Directory.CreateTempSubdirectory("qualityhub-tickets-").FullName, loadDemoContent: false, evaluateDemoModels: false,
        new Dictionary<string, string> { ["Compare:MaxImageMb"] = "1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var folder = factory.DataDirectory;
        await factory.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_huge_base64_image_gets_413_and_nothing_is_stored()
    {
        var client = factory.CreateClient();
        var huge = new byte[(int)(1.5 * 1024 * 1024)];
        new Random(3).NextBytes(huge);
        var response = await client.PostAsJsonAsync("/api/tickets", new { title = "huge", inputImagePngBase64 = Convert.ToBase64String(huge) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("inputImagePngBase64", problem.GetProperty("field").GetString());

        var body = new string('x', 4 * 1024 * 1024);
        var tooBig = await client.PostAsync("/api/tickets", new StringContent($"{{\"title\":\"{body}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("body", (await tooBig.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var list = await client.GetFromJsonAsync<JsonElement>("/api/tickets");
        Assert.Equal(0, list.GetProperty("total").GetInt32());
        var store = Path.Combine(factory.DataDirectory, "store");
        Assert.Empty(Directory.Exists(store) ? Directory.GetFiles(store, "*", SearchOption.AllDirectories) : []);
    }
}
