using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QualityHub.BrowserTests.Pages;

/// <summary>Each role signs in through the sign-in page and finds exactly the actions it may take, on every area that has any.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RolesPageTests(BrowserFixture fixture)
{
    private static readonly string[] ModelerActions = ["register-model", "import-dataset", "start-evaluation", "edit-taxonomy", "file-ticket"];

    public static TheoryData<string, string[]> Roles => new()
    {
        { "Viewer", [] },
        { "Modeler", ModelerActions },
        { "Planner", ["edit-requirement"] },
        { "DataCurator", ["import-dataset", "new-labeling-job", "create-labeling-job"] },
        { "QualityManager", [.. ModelerActions, "create-release"] },
        { "Admin", [.. ModelerActions, "create-release", "edit-requirement", "new-labeling-job", "create-labeling-job", "manage-accounts"] },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task A_role_finds_exactly_the_actions_it_may_take(string role, string[] expected)
    {
        using var http = fixture.App.CreateHttpClient();
        var (email, password) = role == "Admin" ? (AppProcess.AdminEmail, AppProcess.AdminPassword) : ($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@qualityhub.test", "Role-tests-2026");
        if (role != "Admin")
        {
            var created = await http.PostAsJsonAsync("/api/admin/users", new { email, password, role });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var fashion = (await http.GetFromJsonAsync<JsonElement>("/api/modules")).EnumerateArray()
            .Single(m => m.GetProperty("name").GetString() == "fashion-mnist-classifier").GetProperty("id").GetInt32();
        var page = await fixture.NewPageAsync(email, password);
        await page.GotoAsync("/");
        await Expect(page.Locator($"[data-role='{role}']")).ToBeVisibleAsync();

        var found = new List<string>();
        foreach (var path in new[] { "/models", "/datasets", "/evaluations", "/gallery", "/tickets", "/releases", $"/requirements/{fashion}", "/labeling", "/admin/accounts" })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            found.AddRange(await page.Locator("[data-action]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.action)"));
        }

        Assert.Equal(expected.Order(), found.Distinct().Order());
        await Expect(new PortalPage(page).NavLink("Accounts")).ToHaveCountAsync(role == "Admin" ? 1 : 0);
        if (role != "Admin")
        {
            await Expect(page.Locator(".qh-denied")).ToContainTextAsync("Your role does not open this page");
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, $"role-{role.ToLowerInvariant()}.png"), FullPage = true });
    }

    [Fact]
    public async Task A_stranger_is_sent_to_sign_in_and_a_wrong_password_is_refused()
    {
        var page = await fixture.NewAnonymousPageAsync();

        await page.GotoAsync("/releases");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login\\?"));
        await page.GetByLabel("E-mail").FillAsync(AppProcess.AdminEmail);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("do not match an account");
        await Expect(page.GetByLabel("E-mail")).ToHaveValueAsync(AppProcess.AdminEmail); // only the password is typed again

        await page.GetByLabel("E-mail").FillAsync(AppProcess.AdminEmail);
        await page.GetByLabel("Password").FillAsync(AppProcess.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Releases");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await page.GotoAsync("/models");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login\\?"));
    }
}
