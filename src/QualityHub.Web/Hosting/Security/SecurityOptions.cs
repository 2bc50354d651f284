namespace QualityHub.Web.Hosting.Security;

/// <summary>What the portal trusts (configuration section "Security"); README "Security" explains each setting.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// Origins (scheme://host[:port]) besides the app's own whose pages may open the live connections (/_blazor,
    /// /hubs) and send cookie-signed changes to /api; e.g. the address people type when a proxy rewrites the host.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Behind a reverse proxy that ends TLS: trust its X-Forwarded-For/-Proto/-Host.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>Sign-in attempts one client address may make per minute, for all accounts together.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 30;

    /// <summary>Failed sign-ins to one account that cost nothing; each one after doubles the wait before the next try.</summary>
    public int FreeSignInFailures { get; set; } = 5;

    /// <summary>The longest wait, in seconds, that failed sign-ins can impose: an attacker can slow an account, never lock it.</summary>
    public int MaxSignInDelaySeconds { get; set; } = 30;

    /// <summary>/api requests one caller (an API key, a signed-in person, or else a client address) may make per minute.</summary>
    public int ApiRequestsPerMinute { get; set; } = 6000;

    /// <summary>Whether the HTTPS answers carry Strict-Transport-Security (a year, subdomains not included).</summary>
    public bool Hsts { get; set; } = true;
}

/// <summary>Which proxies' forwarded headers are believed (section "Security:ForwardedHeaders").</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Off by default: a client could otherwise claim any address and scheme.</summary>
    public bool Enabled { get; set; }

    /// <summary>Proxy addresses (e.g. 10.0.0.5); loopback is always known.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form (e.g. 10.0.0.0/8).</summary>
    public List<string> KnownNetworks { get; set; } = [];
}
