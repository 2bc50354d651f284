using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using Radzen;

namespace QualityHub.Web.Tests.Components;

/// <summary>Renders a component to HTML with the framework's HtmlRenderer (no browser, no circuit).</summary>
public static class ComponentRenderer
{
    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters, Action<IServiceCollection>? services = null)
        where TComponent : IComponent
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        collection.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        collection.AddSingleton<NavigationManager>(new FixedNavigationManager("http://localhost/", "http://localhost/"));
        collection.AddSingleton<IJSRuntime, NoBrowserJSRuntime>();
        collection.AddRadzenComponents();

        // Rendered as an admin, so every action a page gates is in the markup.
        collection.AddAuthorizationCore(options =>
        {
            foreach (var (policy, roles) in QualityHub.Web.Features.Accounts.Policies.Roles)
            {
                options.AddPolicy(policy, p => p.RequireRole(roles));
            }
        });
        collection.AddCascadingAuthenticationState();
        collection.AddSingleton<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, AdminState>();
        services?.Invoke(collection);
        await using var provider = collection.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, provider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    /// <summary>Static HTML has no browser: any JS call is a test failure, not a silent no-op.</summary>
    private sealed class NoBrowserJSRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            throw new InvalidOperationException($"JS call '{identifier}' while rendering static HTML.");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            InvokeAsync<TValue>(identifier, args);
    }

    private sealed class AdminState : Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider
    {
        public override Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(new System.Security.Claims.ClaimsPrincipal(
                new System.Security.Claims.ClaimsIdentity(
                    [new(System.Security.Claims.ClaimTypes.Name, "admin@test"), new(System.Security.Claims.ClaimTypes.Role, QualityHub.Data.Accounts.QualityHubRoles.Admin)], "test"))));
    }

    private sealed class FixedNavigationManager : NavigationManager
    {
        public FixedNavigationManager(string baseUri, string uri) => Initialize(baseUri, uri);
    }
}
