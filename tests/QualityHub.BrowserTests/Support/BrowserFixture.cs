using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace QualityHub.BrowserTests.Support;

/// <summary>One running app and one Debian Chromium for the browser tests of a collection.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public AppProcess App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots land here, for a person to look at after a run.</summary>
    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        App = AppProcess.Start();
        await App.WaitUntilListeningAsync();
        await App.WaitForDemoContentAsync();
        await App.WaitForEvaluationsAsync();

        // CI machines have two cores shared by every test assembly at once: the first page of a cold app
        // (JIT, circuit, 1.5 MB of plotly.js) can take well over Playwright's 5 s default.
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A page in a browser context of its own, signed in as the admin.</summary>
    public Task<IPage> NewPageAsync() => NewPageAsync(AppProcess.AdminEmail, AppProcess.AdminPassword);

    /// <summary>A page signed in as <paramref name="email"/>: through the sign-in form once, then from the saved cookies.</summary>
    public Task<IPage> NewPageAsync(string email, string password) => NewPageAsync(App, email, password);

    /// <summary>A page of another app (e.g. a second instance) signed in as its admin.</summary>
    public Task<IPage> NewPageAsync(AppProcess app) => NewPageAsync(app, AppProcess.AdminEmail, AppProcess.AdminPassword);

    /// <summary>A page of another app (e.g. one a test started for itself) signed in as <paramref name="email"/>.</summary>
    public async Task<IPage> NewPageAsync(AppProcess app, string email, string password)
    {
        var key = $"{app.BaseUrl} {email}";
        if (!signedIn.TryGetValue(key, out var state))
        {
            var first = await NewContextAsync(app, null);
            var page = await first.NewPageAsync();
            await page.GotoAsync("/account/login");
            await page.GetByLabel("E-mail").FillAsync(email);
            await page.GetByLabel("Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Overview" })).ToBeVisibleAsync();
            state = await first.StorageStateAsync();
            signedIn[key] = state;
            await first.CloseAsync();
        }

        var context = await NewContextAsync(app, state);
        return await context.NewPageAsync();
    }

    /// <summary>A page with no session at all.</summary>
    public async Task<IPage> NewAnonymousPageAsync() => await (await NewContextAsync(App, null)).NewPageAsync();

    private readonly Dictionary<string, string> signedIn = [];

    private async Task<IBrowserContext> NewContextAsync(AppProcess app, string? storageState)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            StorageState = storageState,
        });
        context.SetDefaultTimeout(30_000);
        return context;
    }

    /// <summary>Waits until the demo stream, generated in the background after the demo content, is stored.</summary>
    public async Task<HttpClient> DemoEventsAsync()
    {
        var http = App.CreateHttpClient();
        // The stream replays the demo's test samples with the answers of their evaluation runs, so it follows them.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var modules = await http.GetFromJsonAsync<JsonElement>("/api/online/modules");
            // The demo stream serves the classifier and the recogniser; the card reader is a candidate, not in production.
            if (modules.EnumerateArray().Where(m => m.GetProperty("name").GetString() is "fashion-mnist-classifier" or "card-text-recognizer").Count(m => m.GetProperty("events").GetInt64() > 0) == 2)
            {
                return http;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The demo online events did not arrive within 5 minutes.");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
            // What the app said while the tests ran, for a failure that the browser alone does not explain.
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "app.log"), App.Output + App.Errors);
        }
    }

    /// <summary>Debian's Chromium (the test command installs it); Playwright's own browser download cannot work here.</summary>
    private static string ChromiumPath()
    {
        var configured = Environment.GetEnvironmentVariable("QUALITYHUB_CHROMIUM");
        var candidates = new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        return candidates.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new InvalidOperationException("Chromium was not found at /usr/bin/chromium. Run ./test.sh, which installs Debian's chromium, or set QUALITYHUB_CHROMIUM.");
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
