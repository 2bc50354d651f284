using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace QualityHub.Web.Tests.Security;

/// <summary>
/// Issue #19, item 3: what a page on another origin could make a signed-in Modeler's browser send is refused — form,
/// text/plain and multipart posts with the session cookie, and live connections from a foreign Origin — while the
/// pages' own JSON, uploads with the antiforgery token, and API-key calls go through.
/// </summary>
public sealed class CrossSiteRequestTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private const string Elsewhere = "http://127.0.0.1:9";
    private const string Own = "http://localhost";

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_cookie_signed_ticket_post_that_is_not_JSON_is_refused_and_nothing_is_filed(string contentType)
    {
        var browser = await SignedInModelerAsync();
        var before = await TicketCountAsync();

        foreach (var origin in new[] { Elsewhere, Own, null })
        {
            var response = await browser.SendAsync(Post("/api/tickets", """{"title":"csrf","moduleId":1}""", contentType, origin));

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Cross-site request refused", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }

        Assert.Equal(before, await TicketCountAsync());
    }

    [Fact]
    public async Task JSON_from_another_origin_is_refused_and_JSON_from_the_app_itself_goes_through()
    {
        var browser = await SignedInModelerAsync();
        var name = $"csrf-{Guid.NewGuid():N}"[..20];
        var body = JsonSerializer.Serialize(new { name, taskType = "ImageClassification", inputDescription = "image", outputDescription = "class" });

        var foreign = await browser.SendAsync(Post("/api/modules", body, "application/json", Elsewhere));
        var refererOnly = await browser.SendAsync(Post("/api/modules", body, "application/json", origin: null, referer: Elsewhere + "/attack.html"));
        var own = await browser.SendAsync(Post("/api/modules", body, "application/json", Own));

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refererOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [Fact]
    public async Task A_page_upload_goes_through_with_the_pages_antiforgery_token_and_not_without_it()
    {
        var browser = await SignedInModelerAsync();
        var token = await PageTokenAsync(browser);

        var without = await browser.SendAsync(Post("/api/models?module=x&version=y", "--x--\r\n", "multipart/form-data; boundary=x", Own));
        var withToken = Post("/api/models?module=x&version=y", "--x--\r\n", "multipart/form-data; boundary=x", Own);
        withToken.Headers.Add("RequestVerificationToken", token);
        var with = await browser.SendAsync(withToken);
        var forged = Post("/api/models?module=x&version=y", "--x--\r\n", "multipart/form-data; boundary=x", Own);
        forged.Headers.Add("RequestVerificationToken", "forged");

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, with.StatusCode); // past the guard: the endpoint's own answer (no file part)
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task API_key_calls_are_not_cross_site_requests()
    {
        // A browser never adds X-Api-Key by itself, so a key's call is never forged by another page.
        var client = factory.CreateClient();

        var response = await client.SendAsync(Post("/api/tickets", "not json", "text/plain", Elsewhere));

        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_hub_refuses_a_WebSocket_from_a_foreign_origin_and_accepts_its_own()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var foreign = factory.CreateWebSocketClient();
        foreign.ConfigureRequest = request =>
        {
            request.Headers["X-Api-Key"] = QualityHubFactory.AdminKey;
            request.Headers.Origin = "http://evil.example";
        };
        var own = factory.CreateWebSocketClient();
        own.ConfigureRequest = request =>
        {
            request.Headers["X-Api-Key"] = QualityHubFactory.AdminKey;
            request.Headers.Origin = Own;
        };

        await Assert.ThrowsAnyAsync<Exception>(() => foreign.ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/quality"), timeout.Token));
        using var socket = await own.ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/quality"), timeout.Token);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }

    [Theory]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("/hubs/quality/negotiate?negotiateVersion=1")]
    public async Task Negotiation_from_a_foreign_origin_is_refused(string path)
    {
        var browser = await SignedInModelerAsync();

        var foreign = await browser.SendAsync(Post(path, "", "text/plain", "http://evil.example"));
        var nullOrigin = await browser.SendAsync(Post(path, "", "text/plain", "null"));
        var own = await browser.SendAsync(Post(path, "", "text/plain", Own));

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, nullOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task An_origin_configured_as_allowed_may_connect()
    {
        using var data = new TempFolder();
        await using var app = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, new Dictionary<string, string>
        {
            ["Security:AllowedOrigins:0"] = "https://quality.example.com",
        });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");

        var allowed = await client.SendAsync(Post("/hubs/quality/negotiate?negotiateVersion=1", "", "text/plain", "https://quality.example.com"));
        var other = await client.SendAsync(Post("/hubs/quality/negotiate?negotiateVersion=1", "", "text/plain", "https://quality.example.com:8443"));

        Assert.NotEqual(HttpStatusCode.Forbidden, allowed.StatusCode); // on to authentication: 401 without a session
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    private static HttpRequestMessage Post(string path, string body, string contentType, string? origin, string? referer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }

        return request;
    }

    private async Task<int> TicketCountAsync() =>
        (await factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/tickets?take=1")).GetProperty("total").GetInt32();

    /// <summary>The antiforgery token a page of the app renders for this browser (the sign-in page's form carries it).</summary>
    private static async Task<string> PageTokenAsync(HttpClient browser)
    {
        var html = await browser.GetStringAsync("/account/login");
        var match = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(match.Success);
        return match.Groups[1].Value;
    }

    private async Task<HttpClient> SignedInModelerAsync()
    {
        var email = $"modeler-{Guid.NewGuid():N}@test";
        const string password = "Modeler-2026-builds";
        var created = await factory.CreateClient().PostAsJsonAsync("/api/admin/users", new { email, password, role = "Modeler" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var browser = factory.CreateBrowser();
        var signIn = await PageForms.PostAsync(browser, "/account/login", "/account/sign-in", new() { ["email"] = email, ["password"] = password, ["returnUrl"] = "/" });
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        return browser;
    }
}
