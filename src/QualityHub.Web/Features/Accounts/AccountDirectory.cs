using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using QualityHub.Data;
using QualityHub.Data.Accounts;

namespace QualityHub.Web.Features.Accounts;

/// <summary>An account as the admin pages and API show it.</summary>
public sealed record UserView(string Id, string Email, string Role, bool LockedOut);

/// <summary>An API key as lists show it: never the key itself, only its first characters.</summary>
public sealed record ApiKeyView(int Id, string Name, string Role, string Prefix, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>What creating an account gave: the account, or why not (with the HTTP status that says so and the field at fault).</summary>
public sealed record AccountResult(UserView? User, IdentityUser? Identity, string? Error, int Status = 201, string? Field = null);

/// <summary>What making an API key gave: the key and its secret (shown once), or why not and the field at fault.</summary>
public sealed record KeyResult(ApiKeyView? Key, string? Secret, string? Error, string? Field = null);

/// <summary>A page of the audit log: entries whose actor, action, record or details contain <see cref="Text"/>, in the asked order.</summary>
public sealed record AuditQuery(int Skip = 0, int Take = 100, string? Text = null, AuditSort Sort = AuditSort.When, bool Descending = true);

/// <summary>What the audit log can be ordered by; ties fall back to the newest entry first.</summary>
public enum AuditSort
{
    When,
    Actor,
    Action,
    Target,
}

/// <summary>A page of the audit log, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Total);

/// <summary>Accounts (one role each), API keys and the audit log, for the admin pages and /api/admin. Each call uses its own scope.</summary>
public sealed class AccountDirectory(IServiceScopeFactory scopes, IDbContextFactory<QualityHubDbContext> contextFactory, SetupState setup)
{
    public async Task<IReadOnlyList<UserView>> GetUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var roles = await db.UserRoles.AsNoTracking().Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        return users.Select(u => new UserView(u.Id, u.Email ?? u.UserName ?? "", roles.FirstOrDefault(r => r.UserId == u.Id)?.Name ?? "",
            u.LockoutEnd is { } end && end > DateTimeOffset.UtcNow)).ToList();
    }

    public async Task<AccountResult> CreateUserAsync(string? email, string? password, string? role)
    {
        if (role is null || !QualityHubRoles.All.Contains(role))
        {
            return new AccountResult(null, null, $"role must be one of {string.Join(", ", QualityHubRoles.All)}, not '{role}'.", 422, "role");
        }

        var result = await CreateAsync(email, password, role);
        if (result.Error is null)
        {
            setup.AccountsExist();
        }

        return result;
    }

    /// <summary>The setup page's admin: only while no account exists.</summary>
    public async Task<AccountResult> CreateFirstAdminAsync(string? email, string? password)
    {
        await using (var db = await contextFactory.CreateDbContextAsync())
        {
            if (await db.Users.AnyAsync())
            {
                setup.AccountsExist();
                return new AccountResult(null, null, "An account exists already; sign in.", 409, "email");
            }
        }

        var result = await CreateAsync(email, password, QualityHubRoles.Admin);
        if (result.Error is null)
        {
            setup.AccountsExist();
        }

        return result;
    }

    public async Task<(int Status, string Message)?> SetRoleAsync(string id, string? role)
    {
        if (role is null || !QualityHubRoles.All.Contains(role))
        {
            return (422, $"role must be one of {string.Join(", ", QualityHubRoles.All)}, not '{role}'.");
        }

        using var scope = scopes.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return (404, $"There is no account {id}.");
        }

        var current = await users.GetRolesAsync(user);
        if (current.Contains(QualityHubRoles.Admin) && role != QualityHubRoles.Admin && (await users.GetUsersInRoleAsync(QualityHubRoles.Admin)).Count == 1)
        {
            return (409, "This is the last admin account; make another admin first.");
        }

        await users.RemoveFromRolesAsync(user, current);
        await users.AddToRoleAsync(user, role);
        await users.UpdateSecurityStampAsync(user); // signed-in sessions pick up the new role
        return null;
    }

    public async Task<IReadOnlyList<ApiKeyView>> GetKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id)
            .Select(k => new ApiKeyView(k.Id, k.Name, k.Role, k.Prefix, k.CreatedBy, k.CreatedAt, k.RevokedAt)).ToListAsync(cancellationToken);
    }

    /// <summary>A new key: the returned secret is shown once and never stored, only its hash.</summary>
    public async Task<KeyResult> CreateKeyAsync(string? name, string? role, string createdBy)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 100)
        {
            return new KeyResult(null, null, "name must be 1 to 100 characters (what the key is for, e.g. 'support desk').", "name");
        }

        if (role is null || !QualityHubRoles.All.Contains(role))
        {
            return new KeyResult(null, null, $"role must be one of {string.Join(", ", QualityHubRoles.All)}, not '{role}'.", "role");
        }

        var secret = ApiKeyAuthenticationHandler.NewKey();
        await using var db = await contextFactory.CreateDbContextAsync();
        var key = new ApiKey { Name = trimmed, Role = role, Prefix = secret[..8], Hash = ApiKeyAuthenticationHandler.HashOf(secret), CreatedBy = createdBy, CreatedAt = DateTimeOffset.UtcNow };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return new KeyResult(new ApiKeyView(key.Id, key.Name, key.Role, key.Prefix, key.CreatedBy, key.CreatedAt, null), secret, null);
    }

    public async Task<bool> RevokeKeyAsync(int id)
    {
        await using var db = await contextFactory.CreateDbContextAsync();
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id && k.RevokedAt == null);
        if (key is null)
        {
            return false;
        }

        key.RevokedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync();
        return true;
    }

    public Task<AuditPage> GetAuditAsync(int skip, int take, CancellationToken cancellationToken = default) =>
        GetAuditAsync(new AuditQuery(skip, take), cancellationToken);

    public async Task<AuditPage> GetAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.AuditEntries.AsNoTracking();
        if (query.Text?.Trim() is { Length: > 0 } text)
        {
            // LIKE with the text's own wildcards escaped, so "50%" finds "50%" and not everything.
            var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            entries = entries.Where(a => EF.Functions.Like(a.Actor, pattern, "\\") || EF.Functions.Like(a.Action, pattern, "\\")
                || EF.Functions.Like(a.Target, pattern, "\\") || EF.Functions.Like(a.Details, pattern, "\\"));
        }

        IOrderedQueryable<AuditEntry> By<TKey>(System.Linq.Expressions.Expression<Func<AuditEntry, TKey>> key) =>
            query.Descending ? entries.OrderByDescending(key) : entries.OrderBy(key);

        // Entries are numbered in the order they happened, so "when" is the number.
        var ordered = query.Sort switch
        {
            AuditSort.Actor => By(a => a.Actor).ThenByDescending(a => a.Id),
            AuditSort.Action => By(a => a.Action).ThenByDescending(a => a.Id),
            AuditSort.Target => By(a => a.Target).ThenByDescending(a => a.Id),
            _ => By(a => a.Id),
        };
        return new AuditPage(
            await ordered.Skip(Math.Max(0, query.Skip)).Take(query.Take).ToListAsync(cancellationToken),
            await entries.CountAsync(cancellationToken));
    }

    private async Task<AccountResult> CreateAsync(string? email, string? password, string role)
    {
        var address = email?.Trim() ?? "";
        if (address.Length is 0 or > 256 || !address.Contains('@', StringComparison.Ordinal))
        {
            return new AccountResult(null, null, "email must be an e-mail address (at most 256 characters).", 422, "email");
        }

        using var scope = scopes.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByEmailAsync(address) is not null)
        {
            return new AccountResult(null, null, $"There is already an account for {address}.", 409, "email");
        }

        var user = new IdentityUser { UserName = address, Email = address, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password ?? "");
        if (!created.Succeeded)
        {
            var field = created.Errors.All(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "email";
            return new AccountResult(null, null, string.Join(" ", created.Errors.Select(e => e.Description)), 422, field);
        }

        await users.AddToRoleAsync(user, role);
        return new AccountResult(new UserView(user.Id, address, role, false), user, null);
    }
}
