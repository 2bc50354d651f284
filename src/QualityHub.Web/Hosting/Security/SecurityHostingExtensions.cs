using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using QualityHub.Data;

namespace QualityHub.Web.Hosting.Security;

/// <summary>The security settings, headers, cross-site guard and rate limits, in the order the pipeline needs them.</summary>
public static class SecurityHostingExtensions
{
    public static IServiceCollection AddQualityHubSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SecurityOptions>(configuration.GetSection(SecurityOptions.SectionName));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SecurityOptions>>((options, security) => TrustProxies(options, security.Value.ForwardedHeaders));
        services.AddAntiforgery(options => options.HeaderName = AntiforgeryToken.HeaderName);
        // Forms read whole by the framework are the account pages' few short fields (uploads stream, MultipartFields).
        services.Configure<FormOptions>(options =>
        {
            options.ValueCountLimit = 32;
            options.ValueLengthLimit = 64 * 1024;
            options.KeyLengthLimit = 1024;
            options.MultipartBodyLengthLimit = 1024 * 1024;
        });
        services.AddQualityHubRateLimits();
        AddSharedKeyRing(services, configuration);
        return services;
    }

    // On PostgreSQL, several instances serve one deployment: the key ring lives in the database and the application name
    // is fixed (not the install path), so a cookie signed by one instance is read by the others. SQLite installs keep
    // ASP.NET Core's default ring in the user's profile.
    private static void AddSharedKeyRing(IServiceCollection services, IConfiguration configuration)
    {
        if (StorageOptions.ParseProvider(configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"]) == DatabaseProvider.Postgres)
        {
            services.AddDataProtection().SetApplicationName("QualityHub").PersistKeysToDbContext<QualityHubDbContext>();
        }
    }

    /// <summary>First in the pipeline: the proxy's view of the request (when trusted), then the headers of every answer.</summary>
    public static WebApplication UseQualityHubSecurityHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.ForwardedHeaders.Enabled)
        {
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<SecurityHeadersMiddleware>();
        return app;
    }

    /// <summary>After authentication, which tells a cookie from a key and names the caller: the cross-site guard and the rate limits.</summary>
    public static WebApplication UseQualityHubRequestGuards(this WebApplication app)
    {
        app.UseMiddleware<CrossSiteRequestGuard>();
        app.UseRateLimiter();
        return app;
    }

    private static void TrustProxies(ForwardedHeadersOptions options, ForwardedHeadersSettings settings)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
