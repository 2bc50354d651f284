using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QualityHub.Web.Tests.Features.Accounts;

/// <summary>A fresh install without QUALITYHUB_ADMIN_*: every page leads to the one-time setup page, which creates the admin once.</summary>
public sealed class SetupTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    [Fact]
    public async Task The_setup_page_creates_the_first_admin_once_and_signs_them_in()
    {
        var browser = factory.CreateBrowser();
        var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/setup", home.Headers.Location?.OriginalString);

        var mismatch = await PageForms.PostAsync(browser, "/setup", "/account/setup", new() { ["email"] = "first@test", ["password"] = "First-admin-2026", ["confirm"] = "other" });
        Assert.Contains("error=", mismatch.Headers.Location?.OriginalString);
        var weak = await PageForms.PostAsync(browser, "/setup", "/account/setup", new() { ["email"] = "first@test", ["password"] = "weak", ["confirm"] = "weak" });
        Assert.Contains("error=", weak.Headers.Location?.OriginalString);

        var done = await PageForms.PostAsync(browser, "/setup", "/account/setup", new() { ["email"] = "first@test", ["password"] = "First-admin-2026", ["confirm"] = "First-admin-2026" });
        Assert.Equal("/", done.Headers.Location?.OriginalString);
        var overview = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("first@test", await overview.Content.ReadAsStringAsync());

        // Once there is an account, setup is closed: a second try creates nothing.
        var stranger = factory.CreateBrowser();
        Assert.Equal("/account/login", (await stranger.GetAsync("/")).Headers.Location?.AbsolutePath);
        var again = await PageForms.PostAsync(stranger, "/setup", "/account/setup", new() { ["email"] = "second@test", ["password"] = "Second-admin-2026", ["confirm"] = "Second-admin-2026" });
        Assert.False(again.IsSuccessStatusCode || again.Headers.Location?.OriginalString == "/", $"{again.StatusCode} {again.Headers.Location}");
        var users = (await factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/admin/users")).EnumerateArray().Select(u => u.GetProperty("email").GetString()).ToList();
        Assert.Equal(["first@test"], users);
        var audit = (await factory.CreateClient().GetFromJsonAsync<JsonElement>("/api/admin/audit?take=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "added IdentityUser" && e.GetProperty("actor").GetString() == "the setup page"
            && e.GetProperty("target").GetString()!.EndsWith("(first@test)", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "added ApiKey" && e.GetProperty("actor").GetString()!.StartsWith("start-up (", StringComparison.Ordinal));

        // Without a token the form post is refused (antiforgery); with a wrong password sign-in says so.
        var tokenless = await stranger.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "first@test", ["password"] = "x" }));
        Assert.True(tokenless.StatusCode == HttpStatusCode.BadRequest, $"{tokenless.StatusCode} {tokenless.Headers.Location}");
        var wrong = await PageForms.PostAsync(stranger, "/account/login", "/account/sign-in", new() { ["email"] = "first@test", ["password"] = "not-the-password", ["returnUrl"] = "https://evil.example/" });
        Assert.Contains("error=invalid", wrong.Headers.Location?.OriginalString);
        Assert.Contains("returnUrl=%2F", wrong.Headers.Location?.OriginalString); // another site is never a return address
        var right = await PageForms.PostAsync(stranger, "/account/login", "/account/sign-in", new() { ["email"] = "first@test", ["password"] = "First-admin-2026", ["returnUrl"] = "/releases" });
        Assert.Equal("/releases", right.Headers.Location?.OriginalString);
    }
}
