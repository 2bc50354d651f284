using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Data;

namespace QualityHub.Web.Features.Accounts;

/// <summary>Machine clients: the X-Api-Key header, checked against the stored SHA-256 of keys not revoked.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IDbContextFactory<QualityHubDbContext> contextFactory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>Lower-case hex SHA-256 of a key: what is stored and compared.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key (32 bytes, URL-safe base64 with a qh_ prefix).</summary>
    public static string NewKey() => "qh_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Header];
        if (presented.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (presented.Count > 1 || string.IsNullOrWhiteSpace(presented[0]) || presented[0]!.Length > 200)
        {
            return AuthenticateResult.Fail("The X-Api-Key header must hold one key.");
        }

        var hash = HashOf(presented[0]!);
        await using var db = await contextFactory.CreateDbContextAsync(Context.RequestAborted);
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Hash == hash, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail(key is null ? "Unknown API key." : "This API key was revoked.");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, $"api key {key.Name}"), new Claim(ClaimTypes.Role, key.Role), new Claim("api_key_id", key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
