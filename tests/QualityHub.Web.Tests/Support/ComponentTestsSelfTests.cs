using Bunit;
using MudBlazor;

namespace QualityHub.Web.Tests.Support;

/// <summary>The bUnit base itself: MudBlazor components render and the context disposes cleanly.</summary>
public sealed class ComponentTestsSelfTests : ComponentTests
{
    [Fact]
    public void A_MudBlazor_select_renders_with_the_popover_provider()
    {
        Render<MudPopoverProvider>();
        var select = Render<MudSelect<string>>(p => p.Add(s => s.Label, "Module").Add(s => s.Value, "digits"));

        Assert.Contains("Module", select.Markup);
    }
}
