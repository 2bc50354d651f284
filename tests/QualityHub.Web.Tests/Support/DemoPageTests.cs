using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Support;

/// <summary>
/// bUnit tests of a page over the whole app with its demo content evaluated: every service the page injects comes
/// from one request-like scope of the shared app, so a page renders what the running portal would show.
/// </summary>
public abstract class DemoPageTests : ComponentTests, IClassFixture<EvaluatedDemoQualityHubFactory>, IAsyncLifetime
{
    private readonly IServiceScope scope;

    protected DemoPageTests(EvaluatedDemoQualityHubFactory factory)
    {
        Factory = factory;
        scope = factory.Services.CreateScope();
        Services.AddFallbackServiceProvider(scope.ServiceProvider);
    }

    protected EvaluatedDemoQualityHubFactory Factory { get; }

    /// <summary>An HTTP client of the same app, for setting up data through the API as a user would.</summary>
    protected HttpClient Client => Factory.CreateClient();

    public virtual async Task InitializeAsync() => await Factory.Services.GetRequiredService<DemoContentLoader>().Completion;

    Task IAsyncLifetime.DisposeAsync()
    {
        scope.Dispose();
        return Task.CompletedTask;
    }
}
