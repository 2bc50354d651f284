using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Gallery;

namespace QualityHub.Web.Tests.Features.Gallery;

/// <summary>A run's gallery over the evaluated demo: its count follows the filter in the address, and a comparison's regressions open with their banner.</summary>
public sealed class GalleryPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(30);

    private async Task<(int Mlp, int Cnn)> DemoRunsAsync()
    {
        var runs = await EvaluationRuns.DemoRunsAsync(Client);
        int Of(string version) => runs.Single(r => r.GetProperty("version").GetString() == version).GetProperty("id").GetInt32();
        return (Of("fashion-mlp-v1"), Of("fashion-cnn-v1"));
    }

    private static int Count(IRenderedComponent<GalleryPage> page) => int.Parse(page.Find(".qh-gallery-count").GetAttribute("data-count")!);

    [Fact]
    public async Task The_count_follows_the_filter_in_the_address_without_a_new_page()
    {
        SignInAs(QualityHubRoles.Viewer);
        var (_, cnn) = await DemoRunsAsync();
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"evaluations/{cnn}/gallery");
        var page = Render<GalleryPage>(p => p.Add(c => c.Id, cnn));
        page.WaitForAssertion(() => Assert.True(Count(page) > 0), Slow);
        var failures = Count(page);
        var detail = await Factory.Services.GetRequiredService<EvaluationCatalog>().GetRunAsync(cnn);
        Assert.Equal(detail!.Metrics!.Count - (int)Math.Round(detail.Metrics.Headline.Value * detail.Metrics.Count), failures);

        navigation.NavigateTo($"evaluations/{cnn}/gallery?trueLabel=Shirt");

        page.WaitForAssertion(() => Assert.True(Count(page) < failures), Slow);
        var shirts = detail.Metrics.Classification!.PerClass.Single(c => c.Label == "Shirt");
        Assert.Equal(shirts.Support - (int)Math.Round(shirts.Recall * shirts.Support), Count(page));
    }

    [Fact]
    public async Task A_comparisons_regressions_open_with_a_banner_and_the_paired_count()
    {
        SignInAs(QualityHubRoles.Viewer);
        var (mlp, cnn) = await DemoRunsAsync();
        var pair = (await Factory.Services.GetRequiredService<RunComparer>().CompareAsync([mlp, cnn])).Pairs[0];
        Services.GetRequiredService<NavigationManager>().NavigateTo($"evaluations/{cnn}/gallery?compareTo={mlp}&change=regressions");

        var page = Render<GalleryPage>(p => p.Add(c => c.Id, cnn));

        page.WaitForAssertion(() => Assert.Equal(pair.Regressions, Count(page)), Slow);
        Assert.Contains("Regressions", page.Find(".qh-change-banner").TextContent);
    }
}
