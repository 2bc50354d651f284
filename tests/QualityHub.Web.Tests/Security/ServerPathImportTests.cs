using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QualityHub.Data.Accounts;
using QualityHub.Inference.Imaging;

namespace QualityHub.Web.Tests.Security;

/// <summary>
/// POST /api/datasets/import reads files on the server, so it is closed by default, open to admins only, and reads
/// only regular files inside Registry:ImportRoots, within size limits; a refusal never shows what a file holds.
/// </summary>
public sealed class ServerPathImportTests(ServerPathImportTests.RootedApp app) : IClassFixture<ServerPathImportTests.RootedApp>
{
    // What /etc/passwd and /etc/shadow start with, as text and as the IDX reader once quoted it.
    private static readonly string[] FileContent = ["root:", "726F6F74", "0x726F6F74"];

    private readonly HttpClient admin = app.CreateClient();

    /// <summary>The app with a fresh import root of its own and /dev (whose devices must still be refused) as import roots.</summary>
    public sealed class RootedApp : QualityHubFactory
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("qualityhub-import-root-").FullName;

        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Registry:ImportRoots:0"] = Root,
            ["Registry:ImportRoots:1"] = "/dev",
        };

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }
    }

    [Fact]
    public async Task With_no_import_roots_a_server_path_import_is_403_saying_which_setting_enables_it()
    {
        var folder = WriteTextDataset("unconfigured");
        await using var closed = new QualityHubFactory();

        var response = await closed.CreateClient().PostAsJsonAsync("/api/datasets/import", Jsonl("unconfigured", Path.Combine(folder, "labels.jsonl")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Importing from server paths is off", problem.GetProperty("title").GetString());
        Assert.Contains("Registry:ImportRoots", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("[]", await closed.CreateClient().GetStringAsync("/api/datasets"));
    }

    [Fact]
    public async Task A_modeler_may_not_import_from_server_paths_even_inside_a_root()
    {
        var folder = WriteTextDataset("by-a-modeler");
        var created = await admin.PostAsJsonAsync("/api/admin/api-keys", new { name = "server-path modeler", role = QualityHubRoles.Modeler });
        var modeler = app.CreateAnonymousClient();
        modeler.DefaultRequestHeaders.Add("X-Api-Key", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());

        var response = await modeler.PostAsJsonAsync("/api/datasets/import", Jsonl("by-a-modeler", Path.Combine(folder, "labels.jsonl")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(await admin.GetFromJsonAsync<JsonElement[]>("/api/datasets") ?? [], d => d.GetProperty("name").GetString() == "by-a-modeler");
    }

    [Fact]
    public async Task Files_outside_the_roots_are_403_naming_the_field_and_the_answer_holds_none_of_their_content()
    {
        var requests = new (string Field, object Body)[]
        {
            ("images", new { name = "shadow", licenceId = "MIT", format = "idx", images = "/etc/shadow", labelsFile = "/etc/passwd", labels = new[] { "a" } }),
            ("jsonl", new { name = "passwd", licenceId = "MIT", format = "jsonl", jsonl = "/etc/passwd" }),
            ("zip", new { name = "zip", licenceId = "MIT", format = "zip", zip = "/etc/passwd" }),
            ("folder", new { name = "etc", licenceId = "MIT", format = "folder", folder = "/etc", csv = "/etc/passwd" }),
            ("csv", new { name = "csv", licenceId = "MIT", format = "folder", folder = app.Root, csv = "/etc/passwd" }),
            ("jsonl", new { name = "missing", licenceId = "MIT", format = "jsonl", jsonl = $"/etc/no-such-file-{Guid.NewGuid():N}" }),
        };

        var details = new HashSet<string>();
        foreach (var (field, body) in requests)
        {
            var response = await admin.PostAsJsonAsync("/api/datasets/import", body);
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
            Assert.All(FileContent, content => Assert.DoesNotContain(content, text, StringComparison.OrdinalIgnoreCase));
            details.Add(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!.Replace($"'{field}'", "'…'", StringComparison.Ordinal));
        }

        // The same words whether the file exists or not: the answer is no existence check.
        Assert.Single(details);
    }

    [Fact]
    public async Task Dev_zero_inside_a_root_is_400_as_not_a_regular_file_at_once_without_the_process_growing()
    {
        var before = Environment.WorkingSet;
        var clock = Stopwatch.StartNew();

        var response = await PostAsync(new { name = "zeros", licenceId = "MIT", format = "jsonl", jsonl = "/dev/zero" });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(Environment.WorkingSet - before < 256L * 1024 * 1024, $"the process grew by {(Environment.WorkingSet - before) / 1048576} MiB");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "'jsonl' (zero) is not a regular file (a device, FIFO or socket); only regular files are imported.",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_FIFO_inside_a_root_is_refused_without_waiting_for_a_writer()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(app.Root, $"pipe-{Guid.NewGuid():N}.jsonl"));

        // The in-memory server runs a handler on the caller's thread until it first yields, so the request gets a thread of its own.
        var post = Task.Run(() => PostAsync(new { name = "pipe", licenceId = "MIT", format = "jsonl", jsonl = fifo }));
        if (await Task.WhenAny(post, Task.Delay(TimeSpan.FromSeconds(30))) != post)
        {
            // The server is stuck opening the FIFO; a writer that closes at once lets it go, so this fails rather than hangs.
            await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write).Dispose()).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Fail("The server waited for a writer on the FIFO.");
        }

        var response = await post;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a regular file", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symbolic_link_inside_a_root_pointing_to_etc_passwd_is_403_without_its_content()
    {
        var link = Path.Combine(app.Root, $"passwd-{Guid.NewGuid():N}.jsonl");
        File.CreateSymbolicLink(link, "/etc/passwd");

        var response = await PostAsync(new { name = "linked", licenceId = "MIT", format = "jsonl", jsonl = link });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.All(FileContent, content => Assert.DoesNotContain(content, text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Climbing_out_of_a_root_with_dot_dot_is_403_even_to_a_good_dataset()
    {
        using var sibling = new TempFolder("qualityhub-beside-root-");
        var jsonl = Path.Combine(WriteTextDataset("good", sibling.Path), "labels.jsonl");
        var climbing = Path.Combine(app.Root, "..", Path.GetRelativePath(Path.GetDirectoryName(app.Root)!, jsonl));

        var response = await PostAsync(Jsonl("climbed", climbing));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("jsonl", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_sparse_3_GiB_JSONL_file_inside_a_root_is_refused_by_its_size_before_it_is_read()
    {
        var huge = SpecialFiles.Sparse(Path.Combine(app.Root, $"huge-{Guid.NewGuid():N}.jsonl"), 3L << 30);
        var before = Environment.WorkingSet;

        var response = await PostAsync(new { name = "huge", licenceId = "MIT", format = "jsonl", jsonl = huge });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            $"jsonl ({Path.GetFileName(huge)}) is 3,072 MiB, more than the 64 MiB (Registry:MaxLabelsFileMb) allowed.",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.True(Environment.WorkingSet - before < 256L * 1024 * 1024, $"the process grew by {(Environment.WorkingSet - before) / 1048576} MiB");
        File.Delete(huge);
    }

    [Fact]
    public async Task A_folder_import_refuses_an_image_its_CSV_names_that_links_out_of_the_folder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(app.Root, $"pets-{Guid.NewGuid():N}")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "cat.png"), PngEncoder.Encode(new Image(2, 2, 1)));
        File.CreateSymbolicLink(Path.Combine(folder, "dog.png"), "/etc/passwd");
        await File.WriteAllTextAsync(Path.Combine(folder, "labels.csv"), "file,label\ncat.png,cat\ndog.png,dog\n");

        var response = await PostAsync(new { name = "pets-out", licenceId = "MIT", format = "folder", folder, csv = Path.Combine(folder, "labels.csv"), labels = new[] { "cat", "dog" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("issues").EnumerateArray());
        Assert.Equal("'dog.png' leads out of the folder through a symbolic link; only files inside the import are allowed", issue.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task A_good_import_inside_a_root_is_201_and_a_missing_file_there_is_400_not_found()
    {
        var folder = WriteTextDataset("rooted");

        var created = await PostAsync(Jsonl("rooted", Path.Combine(folder, "labels.jsonl")));
        var missing = await PostAsync(Jsonl("rooted-missing", Path.Combine(folder, "missing.jsonl")));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(2, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("samples").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(
            $"'jsonl' ({Path.GetFileName(folder)}/missing.jsonl) was not found.",
            (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    /// <summary>Posts an import as the admin; a server that hangs on a file fails the test instead of stalling the run.</summary>
    private async Task<HttpResponseMessage> PostAsync(object body)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await admin.PostAsJsonAsync("/api/datasets/import", body, timeout.Token);
    }

    private static object Jsonl(string name, string path) => new { name, licenceId = "CC0-1.0", format = "jsonl", taskType = "TextRecognition", jsonl = path };

    /// <summary>Two text-line images and their labels.jsonl in a new folder (in the app's root unless told otherwise).</summary>
    private string WriteTextDataset(string name, string? parent = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(parent ?? app.Root, $"{name}-{Guid.NewGuid():N}")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "a.png"), PngEncoder.Encode(new Image(8, 4, 1)));
        File.WriteAllBytes(Path.Combine(folder, "b.png"), PngEncoder.Encode(new Image(8, 4, 1)));
        File.WriteAllText(Path.Combine(folder, "labels.jsonl"), "{\"image\": \"a.png\", \"text\": \"12/29\"}\n{\"image\": \"b.png\", \"text\": \"4111\"}\n");
        return folder;
    }
}
