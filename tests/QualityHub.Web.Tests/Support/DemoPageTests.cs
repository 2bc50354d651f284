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

    /// <summary>
    /// Whether the class's tests start once the demo's evaluations have finished, not while they run. For pages that
    /// write and read back: on CI's two cores beside the browser tests, a write or a heavy re-read racing seven runs'
    /// prediction batches has waited past a page's 30 s (a note written during those runs takes at most 0.3 s on a quiet
    /// machine); waiting costs the class the rest of the evaluations' time.
    /// </summary>
    protected virtual bool StartsAfterDemoRuns => false;

    public virtual async Task InitializeAsync()
    {
        await Factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        if (StartsAfterDemoRuns)
        {
            await EvaluationRuns.DemoRunsAsync(Client);
        }
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        scope.Dispose();
        return Task.CompletedTask;
    }
}
