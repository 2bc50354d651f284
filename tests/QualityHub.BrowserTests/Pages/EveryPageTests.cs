using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>
/// Every page of the portal, list and detail, opened straight by its address in each theme: it renders its heading,
/// Blazor's error bar stays hidden and the browser console stays free of errors.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EveryPageTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Every_page_renders_without_a_console_error(string theme)
    {
        var page = await fixture.NewPageAsync();
        await page.Context.AddCookiesAsync([new Cookie { Name = "qualityhub-theme", Value = theme, Url = fixture.App.BaseUrl }]);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"{page.Url}: {error}");

        var visited = new List<string>();
        foreach (var path in await PathsAsync(page))
        {
            var response = await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
            Assert.True(response?.Ok, $"{path} answered {response?.Status}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-theme]").First).ToHaveAttributeAsync("data-theme", theme);
            await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
            visited.Add(path);
        }

        Assert.Empty(errors);
        Assert.Equal(25, visited.Count);
    }

    // The demo files no ticket; other tests may have. Either way there is one to open.
    private static async Task<string> FirstTicketAsync(IPage page)
    {
        var filed = await page.APIRequest.PostAsync("/api/tickets", new() { DataObject = new { title = "Opened by the every-page walk", severity = "low" } });
        Assert.True(filed.Ok, $"filing a ticket answered {filed.Status}: {await filed.TextAsync()}");
        using var ticket = JsonDocument.Parse(await filed.TextAsync());
        return $"/tickets/{ticket.RootElement.GetProperty("id").GetInt64()}";
    }

    // The demo makes no labeling job; a one-sample job of the first dataset of a module is enough to open its page.
    private static async Task<string> NewLabelingJobAsync(IPage page)
    {
        var datasets = await page.APIRequest.GetAsync("/api/datasets");
        using var list = JsonDocument.Parse(await datasets.TextAsync());
        var dataset = list.RootElement.EnumerateArray().First(d => d.GetProperty("moduleId").ValueKind == JsonValueKind.Number).GetProperty("id").GetInt32();
        var samples = await page.APIRequest.GetAsync($"/api/datasets/{dataset}/samples?take=1");
        using var sample = JsonDocument.Parse(await samples.TextAsync());
        var sampleId = sample.RootElement.GetProperty("items")[0].GetProperty("id").GetInt64();
        var made = await page.APIRequest.PostAsync("/api/labeling-jobs", new() { DataObject = new { name = "Opened by the every-page walk", from = new { kind = "samples", sampleIds = new[] { sampleId } } } });
        Assert.True(made.Ok, $"making a labeling job answered {made.Status}: {await made.TextAsync()}");
        using var job = JsonDocument.Parse(await made.TextAsync());
        return $"/labeling/{job.RootElement.GetProperty("id").GetInt32()}";
    }

    // The list pages, and the first of each kind of detail page found through the API as the signed-in user.
    private static async Task<IReadOnlyList<string>> PathsAsync(IPage page)
    {
        async Task<string> FirstAsync(string api, string pagePath, Func<JsonElement, IEnumerable<JsonElement>> items)
        {
            var response = await page.APIRequest.GetAsync(api);
            Assert.True(response.Ok, $"{api} answered {response.Status}");
            using var body = JsonDocument.Parse(await response.TextAsync());
            var first = items(body.RootElement).FirstOrDefault();
            Assert.True(first.ValueKind == JsonValueKind.Object, $"{api} listed nothing: {body.RootElement}");
            return $"{pagePath}/{first.GetProperty("id").GetInt64()}";
        }

        static IEnumerable<JsonElement> Items(JsonElement body) =>
            (body.ValueKind == JsonValueKind.Object ? body.GetProperty("items") : body).EnumerateArray();

        var response = await page.APIRequest.GetAsync("/api/evaluations");
        Assert.True(response.Ok, $"/api/evaluations answered {response.Status}");
        using var evaluations = JsonDocument.Parse(await response.TextAsync());
        var runs = Items(evaluations.RootElement).Select(r => r.GetProperty("id").GetInt64()).Take(2).ToList();
        Assert.Equal(2, runs.Count);
        return
        [
            "/", "/models", "/datasets", "/evaluations", "/gallery", "/compare", "/releases", "/requirements", "/online", "/drift",
            "/tickets", "/tickets/list", "/tickets/new", "/admin/accounts", "/releases/history", "/pipelines", "/labeling",
            await FirstAsync("/api/models", "/models", b => Items(b).SelectMany(m => m.TryGetProperty("versions", out var v) ? v.EnumerateArray().ToList() : new List<JsonElement> { m })),
            await FirstAsync("/api/datasets", "/datasets", Items),
            $"/evaluations/{runs[0]}",
            $"/evaluations/{runs[0]}/gallery",
            $"/evaluations/compare?ids={runs[0]},{runs[1]}",
            await FirstAsync("/api/releases", "/releases", Items),
            await FirstTicketAsync(page),
            await NewLabelingJobAsync(page),
        ];
    }
}
