using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Plotly.Blazor.Traces;
using QualityHub.Data.Accounts;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Overview;

namespace QualityHub.Web.Tests.Features.Overview;

/// <summary>The Overview over the evaluated demo: its tiles and its chart show the registry's counts, in one order.</summary>
public sealed class OverviewPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Each_tile_shows_a_registry_count_and_the_chart_has_a_bar_for_every_count_but_samples()
    {
        SignInAs(QualityHubRoles.Viewer);
        using var scope = Factory.Services.CreateScope();
        var expected = await scope.ServiceProvider.GetRequiredService<OverviewService>().GetSummaryAsync(CancellationToken.None);

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-count]")), Slow);
        var tiles = page.FindAll("[data-count]").ToDictionary(t => t.GetAttribute("data-count")!, t => t.TextContent.Trim());
        Assert.Equal(expected.ModelVersions.ToString("N0"), tiles["Model versions"]);
        Assert.Equal(expected.Samples.ToString("N0"), tiles["Samples"]);
        Assert.Equal(expected.EvaluationRuns.ToString("N0"), tiles["Evaluation runs"]);
        Assert.True(expected.ModelVersions > 0 && expected.EvaluationRuns > 0, "the demo registers and evaluates models");

        var bars = Assert.IsType<Bar>(Assert.Single(page.FindComponent<Plot>().Instance.Figure.Data));
        Assert.Equal(
            ["Modules", "Model versions", "Datasets", "Evaluation runs", "Releases", "Open tickets"],
            bars.X!.Cast<string>());
        Assert.Equal(expected.ModelVersions, Convert.ToInt64(bars.Y![1]));
        Assert.DoesNotContain("Nothing is registered yet", page.Markup);
    }
}
