using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using QualityHub.Data;
using QualityHub.Data.Accounts;

namespace QualityHub.Web.Features.Accounts;

/// <summary>Whether anyone can sign in yet; until then every page leads to the one-time setup page.</summary>
public sealed class SetupState
{
    private volatile bool hasAccounts;

    public bool HasAccounts => hasAccounts;

    public void AccountsExist() => hasAccounts = true;
}

/// <summary>
/// First start: the roles, the admin from QUALITYHUB_ADMIN_EMAIL / QUALITYHUB_ADMIN_PASSWORD and an admin API key
/// from QUALITYHUB_API_KEY when they are set (never a default password). Runs after the database initializer.
/// </summary>
public sealed partial class AccountBootstrap(
    IServiceScopeFactory scopes, IDbContextFactory<QualityHubDbContext> contextFactory, IConfiguration configuration, SetupState setup, ILogger<AccountBootstrap> logger)
    : IHostedService
{
    public const string AdminEmailVariable = "QUALITYHUB_ADMIN_EMAIL";
    public const string AdminPasswordVariable = "QUALITYHUB_ADMIN_PASSWORD";
    public const string ApiKeyVariable = "QUALITYHUB_API_KEY";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in QualityHubRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        // Accounts and keys made from the environment are audited under the variables that made them.
        AuditActor.Name = $"start-up ({AdminEmailVariable}, {ApiKeyVariable})";
        var email = configuration[AdminEmailVariable];
        var password = configuration[AdminPasswordVariable];
        if (!string.IsNullOrWhiteSpace(email) && !string.IsNullOrEmpty(password))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            if (await users.FindByEmailAsync(email) is null)
            {
                var admin = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
                var created = await users.CreateAsync(admin, password);
                if (!created.Succeeded)
                {
                    throw new StartupException(
                        $"{AdminEmailVariable}/{AdminPasswordVariable} could not create the admin: {string.Join(" ", created.Errors.Select(e => e.Description))}");
                }

                await users.AddToRoleAsync(admin, QualityHubRoles.Admin);
                LogAdminCreated(email);
            }
        }

        if (configuration[ApiKeyVariable] is { Length: > 0 } key)
        {
            if (key.Length < 16)
            {
                throw new StartupException($"{ApiKeyVariable} must be at least 16 characters long.");
            }

            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var hash = ApiKeyAuthenticationHandler.HashOf(key);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKey
                {
                    Name = ApiKeyVariable,
                    Role = QualityHubRoles.Admin,
                    Prefix = key[..8],
                    Hash = hash,
                    CreatedBy = "start-up",
                    CreatedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Users.AnyAsync(cancellationToken))
            {
                setup.AccountsExist();
            }
            else
            {
                LogSetupNeeded();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the admin account {Email} from the environment")]
    private partial void LogAdminCreated(string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No account exists yet: open the app and create the admin on its setup page (or set QUALITYHUB_ADMIN_EMAIL and QUALITYHUB_ADMIN_PASSWORD)")]
    private partial void LogSetupNeeded();
}
