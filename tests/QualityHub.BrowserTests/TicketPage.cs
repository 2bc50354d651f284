using Microsoft.Playwright;

namespace QualityHub.BrowserTests;

/// <summary>A ticket's page as a person uses it: its status, the workflow buttons, reproduce and the regression set.</summary>
public sealed class TicketPage(IPage page)
{
    public IPage Page => page;

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator Status => page.Locator(".qh-ticket-sub [data-status]");

    public ILocator Move(string status) => page.Locator($"[data-move='{status}']");

    public ILocator Candidates => page.Locator(".qh-candidate[data-state='done']");

    public ILocator History => page.Locator(".qh-ticket-history tbody tr");

    public ILocator Message => page.Locator("[data-ticket-message]");

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

    public async Task ReproduceAsync()
    {
        await page.Locator("[data-reproduce]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-reproduction='done']")).ToBeVisibleAsync();
    }
}
