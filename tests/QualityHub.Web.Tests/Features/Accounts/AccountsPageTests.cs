using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Tests.Features.Accounts;

/// <summary>The admin page over a test app: refusals on their fields, a revoke confirmed first, the audit log from the server.</summary>
public sealed class AccountsPageTests : ComponentTests, IClassFixture<QualityHubFactory>
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);
    private readonly QualityHubFactory factory;
    private readonly IServiceScope scope;

    public AccountsPageTests(QualityHubFactory factory)
    {
        this.factory = factory;
        scope = factory.Services.CreateScope();
        Services.AddFallbackServiceProvider(scope.ServiceProvider);
        SignInAs(QualityHubRoles.Admin);
    }

    private AccountDirectory Accounts => factory.Services.GetRequiredService<AccountDirectory>();

    private static string FieldText(IRenderedComponent<AccountsPage> page, string name) =>
        page.Find($"input[name='{name}']").Closest(".mud-input-control")!.TextContent;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            scope.Dispose();
        }
    }

    [Fact]
    public void A_bad_address_is_refused_on_the_email_field_and_typing_clears_it()
    {
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<AccountsPage>();
        page.WaitForElement("input[name='new-email']", Slow);

        page.Find("input[name='new-email']").Change("nobody");
        page.Find("input[name='new-password']").Change("Good-password-2026");
        page.Find("[data-add-account]").Click();

        page.WaitForAssertion(() => Assert.Contains("email must be an e-mail address", FieldText(page, "new-email")), Slow);
        Assert.DoesNotContain("e-mail address", FieldText(page, "new-password"));
        Assert.DoesNotContain("e-mail address", snackbars.Markup);

        page.Find("input[name='new-email']").Change("somebody@qualityhub.test");
        page.WaitForAssertion(() => Assert.DoesNotContain("must be", FieldText(page, "new-email")), Slow);
    }

    [Fact]
    public void A_weak_password_is_refused_on_the_password_field()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        var page = Render<AccountsPage>();
        page.WaitForElement("input[name='new-email']", Slow);

        page.Find("input[name='new-email']").Change($"weak-{Guid.NewGuid():N}@qualityhub.test");
        page.Find("input[name='new-password']").Change("x");
        page.Find("[data-add-account]").Click();

        page.WaitForAssertion(() => Assert.Contains("Password", FieldText(page, "new-password")), Slow);
        Assert.Equal(string.Empty, FieldText(page, "new-email").Replace("E-mail", "", StringComparison.Ordinal).Trim());
    }

    [Fact]
    public async Task An_added_account_is_listed_and_said_in_a_snackbar()
    {
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<AccountsPage>();
        page.WaitForElement("input[name='new-email']", Slow);
        var email = $"new-{Guid.NewGuid():N}@qualityhub.test";

        page.Find("input[name='new-email']").Change(email);
        page.Find("input[name='new-password']").Change("Good-password-2026");
        page.Find("[data-add-account]").Click();

        page.WaitForElement($"tr[data-email='{email}']", Slow);
        snackbars.WaitForAssertion(() => Assert.Contains($"Added {email} as", snackbars.Markup), Slow);
        Assert.Equal(QualityHubRoles.Viewer, (await Accounts.GetUsersAsync()).Single(u => u.Email == email).Role);
    }

    [Fact]
    public async Task A_key_without_a_name_is_refused_on_the_name_field()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        var before = (await Accounts.GetKeysAsync()).Count;
        var page = Render<AccountsPage>();
        page.WaitForElement("[data-make-key]", Slow);

        page.Find("[data-make-key]").Click();

        page.WaitForAssertion(() => Assert.Contains("name must be 1 to 100 characters", FieldText(page, "key-name")), Slow);
        Assert.Empty(page.FindAll("[data-new-key]"));
        Assert.Equal(before, (await Accounts.GetKeysAsync()).Count);
    }

    [Fact]
    public async Task Revoking_a_key_asks_first_and_a_cancel_keeps_it_in_use()
    {
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var name = $"desk {Guid.NewGuid():N}"[..13];
        var key = (await Accounts.CreateKeyAsync(name, QualityHubRoles.Modeler, "tests")).Key!;
        var page = Render<AccountsPage>();
        page.WaitForElement($"[data-revoke='{name}']", Slow);

        page.Find($"[data-revoke='{name}']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("stops working at once", dialogs.Markup), Slow);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("stops working at once", dialogs.Markup), Slow);
        Assert.Null((await Accounts.GetKeysAsync()).Single(k => k.Id == key.Id).RevokedAt);

        page.Find($"[data-revoke='{name}']").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click(), Slow);

        page.WaitForAssertion(() => Assert.Contains("revoked", page.Find($"tr[data-key='{name}']").TextContent), Slow);
        Assert.Empty(page.FindAll($"[data-revoke='{name}']"));
        Assert.NotNull((await Accounts.GetKeysAsync()).Single(k => k.Id == key.Id).RevokedAt);
        snackbars.WaitForAssertion(() => Assert.Contains($"Revoked '{name}'.", snackbars.Markup), Slow);
    }

    [Fact]
    public async Task The_audit_log_shows_a_page_from_the_server_and_its_search_narrows_it()
    {
        Render<MudPopoverProvider>();
        var name = $"audited {Guid.NewGuid():N}"[..16];
        AuditActor.Name = "bunit-admin"; // only what a person does is audited
        await Accounts.CreateKeyAsync(name, QualityHubRoles.Viewer, "tests");
        AuditActor.Name = null;
        var total = (await Accounts.GetAuditAsync(new AuditQuery(0, 0))).Total;
        var page = Render<AccountsPage>();

        page.WaitForAssertion(() => Assert.Equal(Math.Min(total, 25), page.FindAll(".qh-audit tbody tr").Count), Slow);
        Assert.Equal(total.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-audit-total]").GetAttribute("data-audit-total"));

        await page.InvokeAsync(() => page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Search").Instance.ValueChanged.InvokeAsync(name));

        page.WaitForAssertion(() => Assert.Contains(name, Assert.Single(page.FindAll(".qh-audit tbody tr")).TextContent), Slow);
    }
}
