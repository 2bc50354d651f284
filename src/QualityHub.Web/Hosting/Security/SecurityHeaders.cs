using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace QualityHub.Web.Hosting.Security;

/// <summary>
/// Every answer's security headers, set in one place: the content security policy, no MIME sniffing, no referrer to
/// other sites, no framing, no powerful browser features, and HSTS over HTTPS.
/// </summary>
/// <remarks>
/// The policy allows exactly what the pages use: scripts only from this server (Blazor, MudBlazor, Plotly and our
/// modules are files; none needs eval), inline styles (MudBlazor and Plotly set style attributes), images from this
/// server and data:/blob: URLs (Plotly's downloads), connections back to this server (the circuit's WebSocket). The
/// API reference page carries one inline module script (Scalar's start-up); it is allowed by its SHA-256 hash,
/// computed from the page actually sent, not by 'unsafe-inline'.
/// </remarks>
public sealed partial class SecurityHeadersMiddleware(RequestDelegate next, IOptions<SecurityOptions> options)
{
    /// <summary>The policy without its script-src, which <see cref="Policy"/> completes.</summary>
    private const string Directives =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; " +
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

    /// <summary>The content security policy with these extra script sources (hashes) besides 'self'.</summary>
    public static string Policy(IEnumerable<string>? scriptHashes = null) =>
        $"{Directives}; script-src 'self'{string.Concat((scriptHashes ?? []).Select(h => $" '{h}'"))}";

    public async Task InvokeAsync(HttpContext context)
    {
        var response = context.Response;
        response.OnStarting(() =>
        {
            var headers = response.Headers;
            headers.TryAdd("Content-Security-Policy", Policy());
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (context.Request.IsHttps && options.Value.Hsts)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            return Task.CompletedTask;
        });

        if (!context.Request.Path.StartsWithSegments(OpenApiHostingExtensions.ReferencePath))
        {
            await next(context);
            return;
        }

        await WithInlineScriptHashesAsync(context);
    }

    // The reference page is small HTML: held until it is complete, so its inline scripts can be hashed into the policy.
    private async Task WithInlineScriptHashesAsync(HttpContext context)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = original;
        }

        if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            response.Headers.ContentSecurityPolicy = Policy(InlineScripts().Matches(html).Select(m => HashOf(m.Groups["body"].Value)));
        }

        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>A CSP source for exactly this script text: sha256- and its digest in Base64.</summary>
    public static string HashOf(string script) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>(?<body>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScripts();
}
