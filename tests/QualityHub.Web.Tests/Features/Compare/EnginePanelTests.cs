using Bunit;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>The engine panel beside Compare: where inference runs, and each loaded session once a comparison ran.</summary>
public sealed class EnginePanelTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    [Fact]
    public async Task The_panel_names_the_provider_and_runtime_and_lists_the_sessions_a_comparison_loaded()
    {
        using (var scope = Factory.Services.CreateScope())
        {
            var catalog = scope.ServiceProvider.GetRequiredService<ModelCatalog>();
            var fashion = (await catalog.GetModulesAsync()).Single(m => m.Name == "fashion-mnist-classifier").Id;
            var version = (await catalog.GetVersionsAsync(fashion)).Single(v => v.Name == "fashion-mlp-v1").Id;
            var source = scope.ServiceProvider.GetRequiredService<CandidateSource>();
            var sample = (await scope.ServiceProvider.GetRequiredService<SamplePicker>().RandomAsync(
                (await scope.ServiceProvider.GetRequiredService<SamplePicker>().DatasetsOfAsync(fashion)).First(d => d.Samples > 0).Id, null, null, 1)).Single();
            await scope.ServiceProvider.GetRequiredService<ComparisonRunner>().RunAllAsync(
                await source.ResolveAsync([version]), await source.SampleInputAsync(sample.Id));
        }

        var panel = Render<EnginePanel>();

        Assert.Contains("CPU", panel.Find(".qh-engine").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(panel.Find("[data-engine-runtime]").TextContent.Trim());
        Assert.Matches(@"^\d+$", panel.Find("[data-engine-queue]").TextContent);
        var row = panel.Find("[data-session='fashion-mlp-v1']");
        Assert.Contains("batching", row.QuerySelector("td")!.GetAttribute("title"), StringComparison.Ordinal);
        Assert.DoesNotContain("No session loaded yet", panel.Markup);
    }
}
