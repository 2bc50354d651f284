using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Tests.Features.Accounts;

/// <summary>The directory's refusals name the field at fault; the audit log pages, sorts and searches on the server.</summary>
public sealed class AccountDirectoryTests(QualityHubFactory factory) : IClassFixture<QualityHubFactory>
{
    private AccountDirectory Accounts => factory.Services.GetRequiredService<AccountDirectory>();

    [Theory]
    [InlineData("not-an-address", "Good-password-2026", QualityHubRoles.Viewer, "email")]
    [InlineData("short@qualityhub.test", "x", QualityHubRoles.Viewer, "password")]
    [InlineData("role@qualityhub.test", "Good-password-2026", "Owner", "role")]
    public async Task A_refused_account_names_the_field_at_fault(string email, string password, string role, string field)
    {
        var result = await Accounts.CreateUserAsync(email, password, role);

        Assert.Null(result.User);
        Assert.Equal(422, result.Status);
        Assert.Equal(field, result.Field);
        Assert.DoesNotContain(await Accounts.GetUsersAsync(), u => u.Email == email);
    }

    [Fact]
    public async Task A_second_account_for_an_address_is_refused_on_the_email()
    {
        var email = $"twice-{Guid.NewGuid():N}@qualityhub.test";
        Assert.Null((await Accounts.CreateUserAsync(email, "Good-password-2026", QualityHubRoles.Viewer)).Error);

        var again = await Accounts.CreateUserAsync(email, "Good-password-2026", QualityHubRoles.Viewer);

        Assert.Equal((409, "email"), (again.Status, again.Field));
    }

    [Theory]
    [InlineData("", QualityHubRoles.Modeler, "name")]
    [InlineData("support desk", "Owner", "role")]
    public async Task A_refused_key_names_the_field_at_fault_and_nothing_is_made(string name, string role, string field)
    {
        var before = (await Accounts.GetKeysAsync()).Count;

        var made = await Accounts.CreateKeyAsync(name, role, "tests");

        Assert.Equal((null, null, field), (made.Key, made.Secret, made.Field));
        Assert.Equal(before, (await Accounts.GetKeysAsync()).Count);
    }

    [Fact]
    public async Task The_audit_log_is_searched_sorted_and_paged_on_the_server()
    {
        var marker = $"m{Guid.NewGuid():N}"[..10];
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync())
        {
            foreach (var actor in new[] { "carol", "alice", "bob" })
            {
                db.AuditEntries.Add(new AuditEntry { At = DateTimeOffset.UtcNow, Actor = actor, Action = "test", Target = $"{marker}-{actor}", Details = "50% done" });
            }

            db.AuditEntries.Add(new AuditEntry { At = DateTimeOffset.UtcNow, Actor = "dave", Action = "test", Target = "other", Details = "500 done" });
            await db.SaveChangesAsync();
        }

        var byActor = await Accounts.GetAuditAsync(new AuditQuery(0, 10, marker, AuditSort.Actor, Descending: false));
        var newest = await Accounts.GetAuditAsync(new AuditQuery(0, 2, marker));
        var second = await Accounts.GetAuditAsync(new AuditQuery(2, 2, marker));
        var percent = await Accounts.GetAuditAsync(new AuditQuery(0, 100, "50%"));

        Assert.Equal(["alice", "bob", "carol"], byActor.Items.Select(a => a.Actor));
        Assert.Equal(3, byActor.Total);
        Assert.Equal(["bob", "alice"], newest.Items.Select(a => a.Actor));
        Assert.Equal(["carol"], second.Items.Select(a => a.Actor));
        Assert.Equal(3, second.Total);
        Assert.DoesNotContain(percent.Items, a => a.Actor == "dave");
        Assert.Contains(percent.Items, a => a.Target == $"{marker}-alice");
    }

    [Fact]
    public async Task The_old_audit_call_still_gives_the_newest_first_with_the_whole_count()
    {
        var all = await Accounts.GetAuditAsync(0, 1000);
        var first = await Accounts.GetAuditAsync(0, 1);

        Assert.Equal(all.Total, first.Total);
        Assert.Equal(all.Items.Max(a => a.Id), Assert.Single(first.Items).Id);
    }
}
