using Bunit;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Datasets;

namespace QualityHub.Web.Tests.Support;

/// <summary>The demo-backed page base: a page finds the app's services and the demo's data.</summary>
public sealed class DemoPageTestsSelfTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    [Fact]
    public void A_page_renders_the_demo_content_from_the_apps_services()
    {
        SignInAs(QualityHubRoles.Viewer);

        var page = Render<DatasetsPage>();

        page.WaitForAssertion(() => Assert.Contains("fashion-mnist-test-2000", page.Markup));
    }
}
