using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data;

namespace QualityHub.Web.Tests.Hosting;

/// <summary>Two portal instances on one PostgreSQL database: a sign-in on one is a sign-in on the other.</summary>
[Trait("Engine", "postgres")]
public sealed class SharedKeyRingTests
{
    private const string Email = "planner@test";
    private const string Password = "Planner-2026-plans";

    [Fact]
    public async Task A_cookie_signed_by_one_instance_is_accepted_by_another_and_the_key_ring_is_in_the_database()
    {
        var server = await PostgresTestServer.SharedAsync();
        var settings = TestDatabase.NewPostgresDatabase(server);
        using var folderA = new TempFolder();
        using var folderB = new TempFolder();
        await using var a = new ConfiguredQualityHubFactory(folderA.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        await using var b = new ConfiguredQualityHubFactory(folderB.Path, loadDemoContent: false, evaluateDemoModels: false, settings);

        var created = await a.CreateClient().PostAsJsonAsync("/api/admin/users", new { email = Email, password = Password, role = "Planner" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var signIn = await PageForms.PostAsync(a.CreateBrowser(), "/account/login", "/account/sign-in",
            new() { ["email"] = Email, ["password"] = Password, ["returnUrl"] = "/" });
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        var cookies = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        var onB = b.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        onB.DefaultRequestHeaders.Remove("X-Api-Key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/summary")).StatusCode);
        onB.DefaultRequestHeaders.Add("Cookie", cookies);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/summary")).StatusCode);

        await using var db = await b.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        Assert.NotEmpty(await db.DataProtectionKeys.ToListAsync());
    }
}
