using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Processes;

/// <summary>
/// One live view across two portal processes on one PostgreSQL database and one Redis server (SignalR:Redis): a
/// browser on instance B follows a run executing on A and sees a ticket filed on A, without a reload; a hub client on B
/// hears both too.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveAcrossInstancesTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_browser_on_one_instance_follows_a_run_and_a_ticket_of_the_other()
    {
        using var team = await TeamDeployment.CreateAsync();
        await using var redis = await RedisTestServer.StartAsync();
        // Few samples in flight and small writes: the run lasts long enough to be followed from the other instance.
        var settings = team.Settings(new Dictionary<string, string>
        {
            ["SignalR__Redis"] = redis.ConnectionString,
            ["Evaluation__WriteBatch"] = "10",
            ["Evaluation__InFlight"] = "1",
        });
        await using var a = AppProcess.Start(environment: settings);
        await a.WaitUntilListeningAsync();
        await a.WaitForDemoContentAsync();
        // B comes up beside A; the run will be A's (its lease), so B can only hear of it.
        await using var b = AppProcess.Start(environment: settings);
        await b.WaitUntilListeningAsync();
        using var hub = await HubClient.ConnectAsync(b.BaseUrl);
        var run = await fixture.NewPageAsync(b); // signs in on B, which warms B's pages up

        // Started through A's API, the run is claimed at once by A (B looks at the queue every few seconds; a run
        // B took would fail the last assertion).
        using var onA = a.CreateHttpClient();
        var runId = await TeamDeployment.StartRecognizerRunAsync(onA);
        await run.GotoAsync($"evaluations/{runId}");
        var progress = run.Locator(".qh-run-progress[data-done]");
        await Expect(progress).ToBeVisibleAsync();
        var doneAtFirst = int.Parse(await progress.GetAttributeAsync("data-done") ?? "", CultureInfo.InvariantCulture);
        Assert.InRange(doneAtFirst, 0, 399);
        // The bar moves on B while the samples are predicted on A.
        await run.WaitForFunctionAsync($"() => {{ const p = document.querySelector('.qh-run-progress[data-done]'); return p && +p.dataset.done > {doneAtFirst} && +p.dataset.done < 400; }}");
        await run.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "live-run-on-other-instance.png") });
        var tickets = await fixture.NewPageAsync(b);
        await tickets.GotoAsync("tickets/list");
        await Expect(tickets.Locator("[data-total][data-live='true']")).ToBeVisibleAsync();

        var filed = await onA.PostAsJsonAsync("/api/tickets", new { title = "Filed on instance A", severity = "high" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var ticketId = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        await Expect(tickets.Locator($"[data-ticket='{ticketId}']")).ToHaveTextAsync("Filed on instance A");
        await Expect(run.Locator(".qh-run[data-status='completed']")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        await Expect(run.Locator(".qh-headline")).ToBeVisibleAsync();
        Assert.Contains(hub.Received, m => m.Contains("\"ticketCreated\"", StringComparison.Ordinal) && m.Contains($"\"id\":{ticketId}", StringComparison.Ordinal));
        Assert.Contains(hub.Received, m => m.Contains($"\"runId\":{runId}", StringComparison.Ordinal) && m.Contains("\"status\":\"completed\"", StringComparison.Ordinal));
        Assert.Contains("pp-ocrv4-rec", await run.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains($"Evaluation run {runId} completed", a.Output, StringComparison.Ordinal);
        Assert.DoesNotContain($"Evaluation run {runId}", TeamDeployment.Tail(b.Output), StringComparison.Ordinal); // B never ran it
    }
}
