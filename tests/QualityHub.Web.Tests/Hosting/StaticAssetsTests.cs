using System.Net;
using System.Net.Http.Json;

namespace QualityHub.Web.Tests.Hosting;

/// <summary>
/// The files a page needs before anyone is signed in (the sign-in and setup pages are Blazor pages too) reach a
/// stranger as what they are, never as a redirect to an HTML page ("Unexpected token '&lt;'" in the browser).
/// </summary>
public sealed class StaticAssetsTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    public static TheoryData<string, string> Assets { get; } = new()
    {
        { "/_framework/blazor.web.js", "text/javascript" },
        { "/js/reconnect.js", "text/javascript" },
        { "/_content/MudBlazor/MudBlazor.min.js", "text/javascript" },
        { "/_content/MudBlazor/MudBlazor.min.css", "text/css" },
        { "/QualityHub.Web.styles.css", "text/css" },
        { "/css/app.css", "text/css" },
    };

    private async Task AssertServedToAStrangerAsync()
    {
        var stranger = factory.CreateBrowser();
        foreach (var (path, mediaType) in Assets.Select(row => ((string)row[0], (string)row[1])))
        {
            using var response = await stranger.GetAsync(path);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {response.Headers.Location}");
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            Assert.False((await response.Content.ReadAsStringAsync()).TrimStart().StartsWith('<'), $"{path} is markup");
        }
    }

    [Fact]
    public async Task Scripts_and_styles_reach_a_stranger_before_and_after_the_first_account_exists()
    {
        var stranger = factory.CreateBrowser();

        // Before: a page leads the stranger to setup, the files do not.
        Assert.Equal("/setup", (await stranger.GetAsync("/")).Headers.Location?.OriginalString);
        await AssertServedToAStrangerAsync();

        var created = await factory.CreateClient().PostAsJsonAsync("/api/admin/users", new { email = "first@test", password = "First-admin-2026", role = "Admin" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // After: a page leads the stranger to sign-in, the files still do not.
        Assert.Equal("/account/login", (await stranger.GetAsync("/")).Headers.Location?.AbsolutePath);
        await AssertServedToAStrangerAsync();
    }

    [Theory]
    [InlineData("/_content/Plotly.Blazor/plotly-3.7.0.min.js")]
    [InlineData("/_content/Plotly.Blazor/plotly-basic-3.7.0.min.js")]
    public async Task Plotly_Blazors_bundle_addresses_serve_the_partial_cartesian_bundle_to_anyone(string path)
    {
        using var response = await factory.CreateBrowser().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("/**\n* plotly.js (cartesian - minified)", body.ReplaceLineEndings("\n"));
        Assert.InRange(body.Length, 1_000_000, 2_000_000);
    }

    [Fact]
    public async Task The_partial_bundle_goes_gzipped_to_a_browser_that_accepts_it()
    {
        using var plain = await factory.CreateBrowser().GetAsync("/_content/Plotly.Blazor/plotly-3.7.0.min.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_content/Plotly.Blazor/plotly-3.7.0.min.js");
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");

        using var zipped = await factory.CreateBrowser().SendAsync(request);

        Assert.Equal("gzip", Assert.Single(zipped.Content.Headers.ContentEncoding));
        var compressed = await zipped.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < plain.Content.Headers.ContentLength / 2, $"{compressed.Length} bytes gzipped");
        await using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress);
        using var text = new StreamReader(unzip);
        Assert.Equal(await plain.Content.ReadAsStringAsync(), await text.ReadToEndAsync());
    }
}
