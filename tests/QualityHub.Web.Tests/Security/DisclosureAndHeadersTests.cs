using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using QualityHub.Web.Hosting.Security;

namespace QualityHub.Web.Tests.Security;

/// <summary>
/// Issue #19, items 5 and 7: anonymous /health says ok or degraded and nothing else (the detail is an admin's); every
/// answer carries the security headers; HTTPS through a trusted proxy makes the cookie Secure and adds HSTS; a 413 is
/// an answer, not a logged error.
/// </summary>
public sealed class DisclosureAndHeadersTests(RecordingQualityHubFactory factory) : IClassFixture<RecordingQualityHubFactory>
{
    [Fact]
    public async Task Anonymous_health_names_no_path_or_version_and_the_detail_is_for_admins_only()
    {
        var anonymous = await factory.CreateAnonymousClient().GetAsync("/health");
        var body = await anonymous.Content.ReadAsStringAsync();
        var viewer = factory.CreateAnonymousClient();
        viewer.DefaultRequestHeaders.Add("X-Api-Key", await KeyAsync("Viewer"));

        Assert.Equal("""{"status":"ok"}""", body);
        Assert.DoesNotContain(factory.DataDirectory, body);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateAnonymousClient().GetAsync("/api/admin/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/admin/health")).StatusCode);
        var detail = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/admin/health");
        Assert.Equal(TestDatabase.DescriptionFor(factory.DataDirectory), detail.GetProperty("database").GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("/account/login")] // a page
    [InlineData("/api/summary")] // the API
    [InlineData("/health")]
    [InlineData("/css/app.css")] // a static file
    [InlineData("/api/no-such-thing")] // a refusal
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(SecurityHeadersMiddleware.Policy(), policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotContain("'unsafe-inline'", Directive(policy, "script-src"));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // plain HTTP here
    }

    [Fact]
    public async Task The_API_reference_page_runs_its_one_inline_script_by_hash_not_by_unsafe_inline()
    {
        var response = await factory.CreateClient().GetAsync("/api-reference");
        var html = await response.Content.ReadAsStringAsync();

        var inline = Regex.Matches(html, @"<script(?![^>]*\ssrc=)[^>]*>(?<body>.*?)</script>", RegexOptions.Singleline).Select(m => m.Groups["body"].Value).ToList();
        Assert.NotEmpty(inline);
        var scriptSources = Directive(Assert.Single(response.Headers.GetValues("Content-Security-Policy")), "script-src");
        Assert.All(inline, script => Assert.Contains($"'{SecurityHeadersMiddleware.HashOf(script)}'", scriptSources));
        Assert.DoesNotContain("unsafe", scriptSources);
        Assert.Equal(response.Content.Headers.ContentLength, Encoding.UTF8.GetByteCount(html));
    }

    [Fact]
    public async Task Behind_a_trusted_TLS_proxy_the_session_cookie_is_Secure_and_HSTS_is_sent()
    {
        using var data = new TempFolder();
        await using var app = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, new Dictionary<string, string>
        {
            ["QUALITYHUB_ADMIN_EMAIL"] = "admin@test",
            ["QUALITYHUB_ADMIN_PASSWORD"] = "Admin-password-2026",
            ["Security:ForwardedHeaders:Enabled"] = "true",
            ["Security:ForwardedHeaders:KnownNetworks:0"] = "0.0.0.0/0",
        });

        var overTls = await SignInBehindProxyAsync(app, "https");
        var overHttp = await SignInBehindProxyAsync(app, "http");

        Assert.Contains(overTls.Headers.GetValues("Set-Cookie"), c => c.StartsWith("qualityhub=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("max-age=31536000", Assert.Single(overTls.Headers.GetValues("Strict-Transport-Security")));
        Assert.DoesNotContain(overHttp.Headers.GetValues("Set-Cookie"), c => c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        Assert.False(overHttp.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task An_untrusted_client_cannot_claim_HTTPS_with_a_forwarded_header()
    {
        using var data = new TempFolder();
        await using var app = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, new Dictionary<string, string>
        {
            ["QUALITYHUB_ADMIN_EMAIL"] = "admin@test",
            ["QUALITYHUB_ADMIN_PASSWORD"] = "Admin-password-2026",
        });

        var claimed = await SignInBehindProxyAsync(app, "https");

        Assert.False(claimed.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain(claimed.Headers.GetValues("Set-Cookie"), c => c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_oversized_card_is_a_413_and_not_a_logged_error()
    {
        var before = factory.Errors.Count;
        using var content = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        content.Headers.ContentType = new("application/json");

        var response = await factory.CreateClient().PutAsync("/api/models/1/card", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, factory.Errors.Count);
    }

    private static async Task<HttpResponseMessage> SignInBehindProxyAsync(ConfiguredQualityHubFactory app, string scheme)
    {
        var browser = app.CreateBrowser();
        browser.DefaultRequestHeaders.Add("X-Forwarded-Proto", scheme);
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        var response = await PageForms.PostAsync(browser, "/account/login", "/account/sign-in",
            new() { ["email"] = "admin@test", ["password"] = "Admin-password-2026", ["returnUrl"] = "/" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response;
    }

    private async Task<string> KeyAsync(string role)
    {
        var created = await factory.CreateClient().PostAsJsonAsync("/api/admin/api-keys", new { name = $"{role}-{Guid.NewGuid():N}", role });
        return (await created.Content.ReadFromJsonAsync<QualityHub.Web.Features.Accounts.CreatedApiKey>())!.Key;
    }

    private static string Directive(string policy, string name) =>
        policy.Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith(name + " ", StringComparison.Ordinal));
}
