using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Demo;

namespace QualityHub.Web.Tests.Support;

/// <summary>A test class over a fresh install whose demo models have been evaluated: its client, the demo runs and their versions.</summary>
public abstract class EvaluatedDemoTests(EvaluatedDemoQualityHubFactory factory) : IClassFixture<EvaluatedDemoQualityHubFactory>, IAsyncLifetime
{
    protected EvaluatedDemoQualityHubFactory Factory { get; } = factory;

    protected HttpClient Client { get; } = factory.CreateClient();

    /// <summary>The first start's evaluation runs, one per demo model.</summary>
    protected List<JsonElement> Runs { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await Factory.Services.GetRequiredService<DemoContentLoader>().Completion;
        // A test of the class may evaluate a demo model again on the shared app; the first run of each is the demo's.
        Runs = (await EvaluationRuns.DemoRunsAsync(Client))
            .GroupBy(r => r.GetProperty("version").GetString())
            .Select(g => g.MinBy(r => r.GetProperty("id").GetInt32()))
            .ToList();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected JsonElement RunOf(string version) => Runs.Single(r => r.GetProperty("version").GetString() == version);

    protected int VersionId(string version) => RunOf(version).GetProperty("modelVersionId").GetInt32();

    protected int ModuleOf(string version) => RunOf(version).GetProperty("moduleId").GetInt32();
}
