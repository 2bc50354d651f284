using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QualityHub.Data;
using QualityHub.Data.Accounts;

namespace QualityHub.Web.Features.Accounts;

public static class AccountsServiceCollectionExtensions
{
    private const string Scheme = "QualityHub";

    /// <summary>Accounts and roles (Identity on EF Core), the session cookie or an X-Api-Key, one policy per kind of action, everything else closed to strangers.</summary>
    public static IServiceCollection AddAccountsFeature(this IServiceCollection services)
    {
        services.AddSingleton<SetupState>();
        services.AddSingleton<AccountDirectory>();
        services.AddSingleton<SignInThrottle>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<AccountBootstrap>();
        services.AddIdentityCore<IdentityUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                // No lockout after failed sign-ins: anyone could lock the admin out by failing on purpose. SignInThrottle
                // slows the e-mail tried instead, with a ceiling.
                options.Lockout.AllowedForNewUsers = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<QualityHubDbContext>()
            .AddSignInManager();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "session cookie or API key", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/account/denied";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Cookie.Name = "qualityhub";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the request came over HTTPS, directly or through a trusted proxy (Security:ForwardedHeaders).
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;

            // API clients, the hub and OpenAPI client generators get a status, not a redirect to a page.
            options.Events.OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden);
        });

        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var (policy, roles) in Policies.Roles)
        {
            authorization.AddPolicy(policy, p => p.RequireRole(roles));
        }

        services.AddCascadingAuthenticationState();
        services.AddScoped<CircuitHandler, AuditCircuitHandler>();
        return services;
    }

    private static Task Answer(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/openapi"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Authentication, the acting person for the audit log, and the way to setup while no account exists; authorization
    /// comes after the request guards, which need to know the caller but refuse before any policy is asked.
    /// </summary>
    public static WebApplication UseQualityHubAuthentication(this WebApplication app)
    {
        app.UseAuthentication();

        // Before authorization: while no account exists, a page leads to setup rather than to a sign-in nobody can pass.
        app.Use(async (context, next) =>
        {
            var setup = context.RequestServices.GetRequiredService<SetupState>();
            var path = context.Request.Path;
            if (!setup.HasAccounts && context.User.Identity?.IsAuthenticated != true && HttpMethods.IsGet(context.Request.Method) && !path.StartsWithSegments("/setup") && !path.StartsWithSegments("/account")
                && !path.StartsWithSegments("/api") && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/_framework")
                && !path.StartsWithSegments("/_content") && !path.StartsWithSegments("/_blazor") && !path.StartsWithSegments("/hubs")
                && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/worker"))
            {
                context.Response.Redirect("/setup");
                return;
            }

            AuditActor.Name = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
            await next(context);
        });
        return app;
    }

    /// <summary>
    /// Every /api endpoint that is not a GET (and not marked <see cref="ReadOnlyRequestAttribute"/>) needs at least the
    /// modeler policy unless it names a stricter one; applied last, after each endpoint's own conventions.
    /// </summary>
    public static RouteGroupBuilder RequireModelerForChanges(this RouteGroupBuilder api)
    {
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            if (methods.Count == 0 || methods.All(HttpMethods.IsGet) || endpoint.Metadata.OfType<ReadOnlyRequestAttribute>().Any())
            {
                return;
            }

            var named = endpoint.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null && p != Policies.Read).ToList();
            if (named.Count == 0)
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(Policies.Model));
            }
        });
        return api;
    }
}

/// <summary>In a page's circuit, each event the user causes runs with their name as the audit log's actor.</summary>
public sealed class AuditCircuitHandler(Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider authentication) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) => async context =>
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        AuditActor.Name = user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
        await next(context);
    };
}
