using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Tests.Features.Evaluations;

/// <summary>The run comparison over the evaluated demo: the paired test's figures in the table, links to the regressions and fixes, and a bad address said plainly.</summary>
public sealed class RunComparisonPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_demo_runs_show_the_paired_verdict_and_link_their_regressions_and_fixes()
    {
        SignInAs(QualityHubRoles.Viewer);
        var runs = await EvaluationRuns.DemoRunsAsync(Client);
        int Of(string version) => runs.Single(r => r.GetProperty("version").GetString() == version).GetProperty("id").GetInt32();
        var (mlp, cnn) = (Of("fashion-mlp-v1"), Of("fashion-cnn-v1"));
        var pair = (await Factory.Services.GetRequiredService<RunComparer>().CompareAsync([mlp, cnn])).Pairs[0];
        Services.GetRequiredService<NavigationManager>().NavigateTo($"evaluations/compare?ids={mlp},{cnn}");

        var page = Render<RunComparisonPage>();

        page.WaitForAssertion(() => Assert.Equal(pair.Regressions.ToString("N0"), page.Find("a.qh-regressions").TextContent), Slow);
        Assert.Equal($"evaluations/{cnn}/gallery?compareTo={mlp}&change=fixes", page.Find("a.qh-fixes").GetAttribute("href"));
        Assert.Contains(pair.Verdict, page.Find(".qh-run-comparison").TextContent);
        Assert.Contains("+1.75 pp", page.Find(".qh-run-comparison").TextContent);
    }

    [Fact]
    public void An_address_with_one_run_says_how_many_it_needs()
    {
        SignInAs(QualityHubRoles.Viewer);
        Services.GetRequiredService<NavigationManager>().NavigateTo("evaluations/compare?ids=1");

        var page = Render<RunComparisonPage>();

        page.WaitForAssertion(() => Assert.Contains("Compare between 2 and", page.Find(".qh-compare-error").TextContent), Slow);
    }
}
