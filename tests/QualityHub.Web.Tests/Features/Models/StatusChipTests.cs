using Bunit;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Models;

public sealed class StatusChipTests : ComponentTests
{
    [Fact]
    public void Each_model_status_has_its_own_word_and_look()
    {
        var chips = Enum.GetValues<ModelStatus>().Select(status =>
        {
            var chip = Render<StatusChip>(p => p.Add(c => c.Status, status)).Find(".qh-status");
            Assert.Equal(status.ToString().ToLowerInvariant(), chip.TextContent.Trim());
            return chip.ClassName;
        }).ToList();

        Assert.Equal(Enum.GetValues<ModelStatus>().Length, chips.Distinct().Count());
    }
}
