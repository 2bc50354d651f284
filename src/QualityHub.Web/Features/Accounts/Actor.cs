using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace QualityHub.Web.Features.Accounts;

/// <summary>
/// Who acts: the signed-in account's name, or "api key {name}" for a key. Every approver, reporter, author and tagger
/// the portal stores comes from here, never from a field someone types.
/// </summary>
public static class Actor
{
    /// <summary>How long a stored name may be; a longer one (an unusually long e-mail address) keeps its start.</summary>
    public const int MaxLength = 200;

    /// <summary>The name the request's caller acts under; only signed-in callers reach the endpoints that change things.</summary>
    public static string Of(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? (name.Length > MaxLength ? name[..MaxLength] : name)
            : throw new InvalidOperationException("A change was asked for by a caller who is not signed in; the endpoint or page needs an authorization policy.");

    /// <summary>The name the page's signed-in user acts under.</summary>
    public static async Task<string> OfAsync(AuthenticationStateProvider authentication) =>
        Of((await authentication.GetAuthenticationStateAsync()).User);
}
