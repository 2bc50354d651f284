using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Hosting.Security;

/// <summary>
/// Refuses what another site's page could make a signed-in browser send: live connections (/_blazor, /hubs) opened
/// from a foreign origin, and cookie-signed changes under /api that are neither JSON from this site nor carry the
/// antiforgery token the pages hold. API-key calls are not touched: a browser never adds the key on its own.
/// </summary>
/// <remarks>
/// A page elsewhere, even on another port of this host (the same site to a browser, so the Lax cookie goes along),
/// can post a form or a no-cors fetch: urlencoded, multipart or text/plain, never JSON, and always with its own Origin.
/// JSON from this site's pages is safe (another origin would need a CORS preflight, which this server never grants);
/// the pages' file uploads are multipart, so they send the antiforgery token in a header.
/// </remarks>
public sealed class CrossSiteRequestGuard(RequestDelegate next, IOptionsMonitor<SecurityOptions> options, IAntiforgery antiforgery, ILogger<CrossSiteRequestGuard> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (IsLiveConnection(request.Path) && Origin(request) is { } origin && !IsAllowed(origin, request))
        {
            logger.LogWarning("Refused a live connection to {Path} from origin {Origin}", request.Path, origin);
            await RefuseAsync(context, "Cross-site connection refused", $"Pages from {origin} may not connect to QualityHub (Security:AllowedOrigins).");
            return;
        }

        if (IsCookieSignedChange(context) && await RefusalAsync(context) is { } reason)
        {
            logger.LogWarning("Refused a cookie-signed {Method} {Path}: {Reason}", request.Method, request.Path, reason);
            await RefuseAsync(context, "Cross-site request refused", reason);
            return;
        }

        await next(context);
    }

    private async Task<string?> RefusalAsync(HttpContext context)
    {
        var request = context.Request;
        if (Origin(request) is { } origin && !IsAllowed(origin, request))
        {
            return $"A change sent from {origin} is refused: only QualityHub's own pages may change data with a session cookie.";
        }

        if (IsJson(request) || await HasValidTokenAsync(context))
        {
            return null;
        }

        return "A change signed by a session cookie must be JSON (Content-Type: application/json) or carry the page's antiforgery token; scripts and tools use an API key (X-Api-Key).";
    }

    // Only the header: reading a form to find the token would consume (and buffer) an upload's body.
    private async Task<bool> HasValidTokenAsync(HttpContext context)
    {
        if (!context.Request.Headers.ContainsKey(AntiforgeryToken.HeaderName))
        {
            return false;
        }

        return await antiforgery.IsRequestValidAsync(context);
    }

    private static bool IsLiveConnection(PathString path) => path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/hubs");

    private static bool IsCookieSignedChange(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api")
        && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
        && !context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header)
        && context.User.Identity?.IsAuthenticated == true;

    private static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The request's Origin, or the origin of its Referer when a browser sent no Origin; null when neither (not a browser).</summary>
    private static string? Origin(HttpRequest request)
    {
        if (request.Headers.Origin is { Count: > 0 } origin)
        {
            return origin.ToString();
        }

        return Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer) ? referer.GetLeftPart(UriPartial.Authority) : null;
    }

    /// <summary>The app's own origin (as the request reached it, after forwarded headers) or one configured.</summary>
    private bool IsAllowed(string origin, HttpRequest request) =>
        SameOrigin(origin, $"{request.Scheme}://{request.Host}") || options.CurrentValue.AllowedOrigins.Any(allowed => SameOrigin(origin, allowed));

    private static bool SameOrigin(string origin, string other) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var a) && Uri.TryCreate(other, UriKind.Absolute, out var b)
        && a.Scheme.Equals(b.Scheme, StringComparison.OrdinalIgnoreCase) && a.IdnHost.Equals(b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static Task RefuseAsync(HttpContext context, string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail).ExecuteAsync(context);
}

/// <summary>Where pages put the antiforgery token for their script requests (the header ASP.NET Core reads by default).</summary>
public static class AntiforgeryToken
{
    public const string HeaderName = "RequestVerificationToken";
}
