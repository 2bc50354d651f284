using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Tests.Features.Evaluations;

/// <summary>A run's page over the evaluated demo: its predictions come one server page at a time, the first with the page.</summary>
public sealed class EvaluationDetailPageTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private async Task<int> DemoRunIdAsync()
    {
        using var scope = Factory.Services.CreateScope();
        var runs = await scope.ServiceProvider.GetRequiredService<EvaluationCatalog>().GetRunsAsync();
        return runs.Where(r => r.Version == "fashion-mlp-v1").Min(r => r.Id);
    }

    private static IEnumerable<string> Ordinals(IRenderedComponent<EvaluationDetailPage> page) =>
        page.FindAll(".qh-predictions tbody tr td:nth-child(2)").Select(td => td.TextContent.Trim());

    [Fact]
    public async Task The_first_twenty_predictions_come_with_the_page_and_the_pager_fetches_others_from_the_server()
    {
        SignInAs(QualityHubRoles.Viewer);
        var id = await DemoRunIdAsync();

        var page = Render<EvaluationDetailPage>(p => p.Add(c => c.Id, id));

        // The first queries of a test process compile EF Core's queries, which can take seconds on a busy machine.
        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString()), Ordinals(page)), TimeSpan.FromSeconds(30));
        Assert.Equal("2000", page.Find(".qh-prediction-count").GetAttribute("data-count"));
        Assert.Contains("1–20 of 2,000", page.Markup);

        await page.InvokeAsync(() => page.FindComponent<MudPagination>().Instance.NavigateToAsync(Page.Last));

        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(1980, 20).Select(i => i.ToString()), Ordinals(page)), TimeSpan.FromSeconds(30));
        Assert.Contains("1,981–2,000 of 2,000", page.Markup);
    }
}
