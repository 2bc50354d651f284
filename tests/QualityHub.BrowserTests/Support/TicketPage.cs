using Microsoft.Playwright;

namespace QualityHub.BrowserTests.Support;

/// <summary>A ticket's page as a person uses it: its status, the workflow buttons, reproduce and the regression set.</summary>
public sealed class TicketPage(IPage page)
{
    public IPage Page => page;

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator Status => page.Locator(".qh-ticket-sub [data-status]");

    public ILocator Move(string status) => page.Locator($"[data-move='{status}']");

    public ILocator Candidates => page.Locator(".qh-candidate[data-state='done']");

    public ILocator History => page.Locator(".qh-ticket-history tbody tr");

    /// <summary>The workflow panel: the person's name, the moves, assignee, severity and tags.</summary>
    public ILocator Workflow => page.Locator(".qh-ticket-aside [aria-label='Workflow']");

    /// <summary>An outcome said in a snackbar (several may be on screen at once).</summary>
    public ILocator Message(string text) => page.Locator("[data-ticket-message]", new() { HasText = text });

    /// <summary>Opens ticket <paramref name="id"/> and waits until the circuit handles clicks.</summary>
    public async Task OpenAsync(int id)
    {
        await page.GotoAsync($"tickets/{id}");
        await Assertions.Expect(page.Locator(".qh-ticket-layout[data-interactive='true']")).ToBeVisibleAsync();
    }

    public async Task MoveToAsync(string status, string expectedChip)
    {
        await Move(status).ClickAsync();
        await Assertions.Expect(Status).ToHaveTextAsync(expectedChip);
    }

    /// <summary>Closes the ticket: the page asks first (nothing follows closed), and the move is confirmed.</summary>
    public async Task CloseAsync()
    {
        await Move("Closed").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("cannot be reopened");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Move to closed" }).ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(Status).ToHaveTextAsync("closed");
    }

    /// <summary>Picks the first release (the newest) in the "Fixed in release" select.</summary>
    public async Task ChooseFirstReleaseAsync()
    {
        await PortalPage.ChooseItemAsync(Workflow, "fixedInReleaseId", items => items.First);
        await Assertions.Expect(Workflow.Locator("input[name='fixedInReleaseId']")).Not.ToHaveValueAsync("");
    }

    public async Task ReproduceAsync()
    {
        await page.Locator("[data-reproduce]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-reproduction='done']")).ToBeVisibleAsync();
    }
}
