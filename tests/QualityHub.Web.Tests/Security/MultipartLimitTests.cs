using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.Web.Tests.Security;

/// <summary>
/// Issue #19, item 2: both upload endpoints read their form fields through one reader with a per-field, a total and a
/// count limit, so a 300 MiB field is refused after its limit is read, not held whole in memory.
/// </summary>
public sealed class MultipartLimitTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private const long Huge = 300L * 1024 * 1024;
    private const long ReadAtMost = 8L * 1024 * 1024;

    [Theory]
    [InlineData("/api/models?module=x&version=y", "notes", "over 1 MiB")]
    [InlineData("/api/datasets/upload", "attribution", "over 64 KiB")]
    public async Task A_300_MiB_field_is_refused_by_its_limit(string path, string field, string message)
    {
        var body = new EndlessMultipartField("limit", field, Huge);
        using var content = new StreamContent(body);
        content.Headers.ContentType = new("multipart/form-data") { Parameters = { new("boundary", "limit") } };

        // Without the redirect handler, which would read the whole body into memory before sending any of it: so the
        // in-memory server is sent only what it asks for, and what the field's generator produced is what was read.
        // How little memory the real server takes is BrowserTests' SecurityTests and tools/bench/attack-memory.mjs.
        var response = await factory.CreateClient(new() { AllowAutoRedirect = false }).PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // The field's limit (at most 1 MiB of text, up to 4 bytes a character), and buffers: far below 300 MiB.
        Assert.True(body.Produced < ReadAtMost, $"The server read {body.Produced:N0} bytes of a {Huge:N0}-byte field before refusing it.");
    }

    [Theory]
    [InlineData("/api/models?module=x&version=y", 17, "more than 16 fields")]
    [InlineData("/api/datasets/upload", 33, "more than 32 fields")]
    public async Task Too_many_fields_are_refused(string path, int count, string message)
    {
        using var form = new MultipartFormDataContent("limit");
        for (var i = 0; i < count; i++)
        {
            form.Add(new StringContent("x"), $"field{i}");
        }

        var response = await factory.CreateClient().PostAsync(path, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Fields_each_under_the_limit_are_refused_when_together_over_it()
    {
        using var form = new MultipartFormDataContent("limit");
        form.Add(new StringContent(new string('a', 1000 * 1024)), "notes");
        form.Add(new StringContent(new string('b', 1000 * 1024)), "card");
        form.Add(new StringContent(new string('c', 100 * 1024)), "other");

        var response = await factory.CreateClient().PostAsync("/api/models?module=x&version=y", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("together", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
