using CsvHelper;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Api;
using QualityHub.Web.Hosting.Security;

namespace QualityHub.Web.Features.Accounts;

/// <summary>The body of POST /api/admin/users.</summary>
public sealed record NewUser(string? Email, string? Password, string? Role);

/// <summary>The body of PUT /api/admin/users/{id}/role.</summary>
public sealed record RoleChange(string? Role);

/// <summary>The body of POST /api/admin/api-keys.</summary>
public sealed record NewApiKey(string? Name, string? Role);

/// <summary>A new API key as POST /api/admin/api-keys answers it: the only time <see cref="Key"/> is shown.</summary>
public sealed record CreatedApiKey(int Id, string Name, string Role, string Prefix, string Key);

/// <summary>Who the caller is (GET /api/me): the name signed in, or "api key NAME", and its roles.</summary>
public sealed record CallerView(string? Name, IReadOnlyList<string> Roles);

/// <summary>Signing in and out (form posts from the pages), the one-time setup, and the admin API: accounts, API keys, the audit log.</summary>
public static class AccountsEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/sign-in", SignInAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn);
        endpoints.MapPost("/account/sign-out", async (SignInManager<IdentityUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("~/account/login");
        });
        endpoints.MapPost("/account/setup", SetupAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn);
        return endpoints;
    }

    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (HttpContext http) => new CallerView(http.User.Identity?.Name, QualityHubRoles.All.Where(http.User.IsInRole).ToList()));
        var admin = api.MapGroup("/admin").RequireAuthorization(Policies.Administer);
        admin.MapGet("/users", (AccountDirectory accounts, CancellationToken ct) => accounts.GetUsersAsync(ct));
        admin.MapPost("/users", async (NewUser? body, AccountDirectory accounts) =>
        {
            var created = await accounts.CreateUserAsync(body?.Email, body?.Password, body?.Role);
            return created.Error is null
                ? Results.Created($"/api/admin/users/{created.User!.Id}", created.User)
                : Results.Problem(statusCode: created.Status, title: "Not a valid account", detail: created.Error);
        }).Produces<UserView>(StatusCodes.Status201Created).ProducesProblems(409, 422);
        admin.MapPut("/users/{id}/role", async (string id, RoleChange? body, AccountDirectory accounts) =>
            await accounts.SetRoleAsync(id, body?.Role) is { } error
                ? Results.Problem(statusCode: error.Status, title: "Role not changed", detail: error.Message)
                : Results.NoContent()).Produces(StatusCodes.Status204NoContent).ProducesProblems(404, 409, 422);
        admin.MapGet("/api-keys", (AccountDirectory accounts, CancellationToken ct) => accounts.GetKeysAsync(ct));
        admin.MapPost("/api-keys", async (NewApiKey? body, AccountDirectory accounts, HttpContext http) =>
        {
            var (key, secret, error, _) = await accounts.CreateKeyAsync(body?.Name, body?.Role, http.User.Identity?.Name ?? "?");
            return error is null
                ? Results.Created($"/api/admin/api-keys/{key!.Id}", new CreatedApiKey(key.Id, key.Name, key.Role, key.Prefix, secret!))
                : Results.Problem(statusCode: 422, title: "Not a valid API key", detail: error);
        }).Produces<CreatedApiKey>(StatusCodes.Status201Created).ProducesProblems(422);
        admin.MapDelete("/api-keys/{id:int}", async (int id, AccountDirectory accounts) =>
            await accounts.RevokeKeyAsync(id) ? Results.NoContent() : Results.Problem(statusCode: 404, title: "Not found", detail: $"There is no API key {id} in use."))
            .Produces(StatusCodes.Status204NoContent).ProducesProblems(404);
        admin.MapGet("/audit", (AccountDirectory accounts, int? skip, int? take, CancellationToken ct) => accounts.GetAuditAsync(skip ?? 0, Math.Clamp(take ?? 100, 1, 1000), ct));
        admin.MapGet("/audit.csv", async (IDbContextFactory<QualityHubDbContext> contexts, HttpContext http, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = "attachment; filename=qualityhub-audit.csv";
            await using var db = await contexts.CreateDbContextAsync(ct);
            await using var csv = SpreadsheetSafeCsv.Create(http.Response.Body);
            csv.WriteHeader(["id", "at", "actor", "action", "target", "details"]);
            await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(ct))
            {
                // Text always quoted, as this export always was.
                csv.WriteField(entry.Id);
                csv.WriteField(entry.At.UtcDateTime, "O");
                csv.WriteField(entry.Actor, CsvQuoting.Always);
                csv.WriteField(entry.Action, CsvQuoting.Always);
                csv.WriteField(entry.Target, CsvQuoting.Always);
                csv.WriteField(entry.Details, CsvQuoting.Always);
                await csv.EndRecordAsync(ct);
            }
        }).ProducesFile(ApiDescriptionExtensions.Csv);
        return api;
    }

    /// <summary>
    /// One answer for a wrong e-mail and a wrong password, in about the same time (an unknown e-mail's password is
    /// hashed too); failures slow the e-mail tried (<see cref="SignInThrottle"/>) but never lock its account.
    /// </summary>
    private static async Task<IResult> SignInAsync(
        [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users, SignInThrottle throttle)
    {
        var back = SafeReturn(returnUrl);
        var typed = email?.Trim() ?? "";
        if (typed.Length == 0 || string.IsNullOrEmpty(password))
        {
            return Refused("invalid");
        }

        if (throttle.WaitFor(typed) is { Ticks: > 0 } wait)
        {
            return Refused("busy", $"&wait={Math.Ceiling(wait.TotalSeconds):0}");
        }

        var user = await users.FindByEmailAsync(typed);
        if (user is null)
        {
            UnknownAccountPassword.Check(users, password);
            throttle.Failed(typed);
            return Refused("invalid");
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: false);
        if (!result.Succeeded)
        {
            throttle.Failed(typed);
            return Refused("invalid");
        }

        throttle.Succeeded(typed);
        return Results.LocalRedirect("~" + back);

        // The form comes back with the e-mail filled in, so only the password is typed again (as on the setup page).
        IResult Refused(string error, string more = "") => Results.LocalRedirect(
            $"~/account/login?error={error}{more}&returnUrl={Uri.EscapeDataString(back)}&email={Uri.EscapeDataString(typed)}");
    }

    private static async Task<IResult> SetupAsync(
        [FromForm] string? email, [FromForm] string? password, [FromForm] string? confirm, AccountDirectory accounts, SetupState setup, SignInManager<IdentityUser> signIn)
    {
        if (setup.HasAccounts)
        {
            return Results.LocalRedirect("~/account/login");
        }

        if (password != confirm)
        {
            return Results.LocalRedirect($"~/setup?error={Uri.EscapeDataString("The two passwords differ.")}&email={Uri.EscapeDataString(email ?? "")}");
        }

        AuditActor.Name = "the setup page"; // nobody is signed in yet
        var created = await accounts.CreateFirstAdminAsync(email, password);
        if (created.Error is { } error)
        {
            return Results.LocalRedirect($"~/setup?error={Uri.EscapeDataString(error)}&email={Uri.EscapeDataString(email ?? "")}");
        }

        await signIn.SignInAsync(created.Identity!, isPersistent: false);
        return Results.LocalRedirect("~/");
    }

    /// <summary>
    /// Only a path inside this app: anything else (another site, a scheme, a control character a browser would drop to
    /// make "/\t/evil.example" into "//evil.example") goes to the Overview.
    /// </summary>
    public static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 2048 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            && !url.Any(char.IsControl)
            ? url
            : "/";

    /// <summary>Spends on an unknown e-mail the time a real password check takes, so the answer's timing names no account.</summary>
    private static class UnknownAccountPassword
    {
        private static readonly IdentityUser Nobody = new("nobody@qualityhub.invalid");
        private static readonly Lazy<string> Hash = new(() => new PasswordHasher<IdentityUser>().HashPassword(Nobody, Guid.NewGuid().ToString()));

        public static void Check(UserManager<IdentityUser> users, string password) => users.PasswordHasher.VerifyHashedPassword(Nobody, Hash.Value, password);
    }
}
