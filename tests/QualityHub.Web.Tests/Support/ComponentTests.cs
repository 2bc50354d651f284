using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using QualityHub.Web.Components.Layout;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Tests.Support;

/// <summary>
/// A bUnit context for the app's components: MudBlazor's services, JS interop in loose mode (MudBlazor and our charts
/// call JS, and a test has no browser), and the app's own role policies for a visitor who is signed out until
/// <see cref="SignInAs"/> says otherwise.
/// </summary>
[Trait("Kind", "component")]
public abstract class ComponentTests : BunitContext
{
    protected ComponentTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // Charts paint themselves in the browser's palette.
        Services.AddScoped<ThemeChoice>();
        Services.AddAuthorizationCore(options =>
        {
            foreach (var (policy, roles) in Policies.Roles)
            {
                options.AddPolicy(policy, p => p.RequireRole(roles));
            }
        });
        // bUnit stands in a placeholder that refuses to authorise; the framework's own service checks our real policies.
        Services.AddSingleton<IAuthorizationService, DefaultAuthorizationService>();
        Services.AddCascadingAuthenticationState();
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationState(new ClaimsPrincipal(new ClaimsIdentity())));
        // The token a prerendered page hands its components; uploads send it back (CrossSiteRequestGuard).
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgeryState());
    }

    /// <summary>The antiforgery token every component under test sees.</summary>
    protected const string AntiforgeryTokenValue = "test-antiforgery-token";

    /// <summary>Renders what follows for a signed-in user with these roles; call before the first render.</summary>
    protected void SignInAs(params string[] roles) =>
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationState(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "someone@test"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"))));

    /// <summary>
    /// Some of MudBlazor's services dispose only asynchronously, and xUnit 2 disposes a test class synchronously:
    /// the services are disposed the asynchronous way first, so the synchronous pass finds nothing left to do.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeAsyncCore().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private sealed class FixedAntiforgeryState : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new(AntiforgeryTokenValue, "__RequestVerificationToken");
    }

    private sealed class FixedAuthenticationState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
