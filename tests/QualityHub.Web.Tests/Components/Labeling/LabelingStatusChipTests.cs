using Bunit;
using QualityHub.Core.Labeling;
using QualityHub.Web.Features.Labeling;

namespace QualityHub.Web.Tests.Components.Labeling;

/// <summary>A labeling job's status chip: the word people use for each status, and a colour per stage of the work.</summary>
public sealed class LabelingStatusChipTests : ComponentTests
{
    [Theory]
    [InlineData("draft", "draft", "default")]
    [InlineData("sent", "sent", "info")]
    [InlineData("inProgress", "in progress", "info")]
    [InlineData("delivered", "delivered", "warning")]
    [InlineData("reviewed", "reviewed", "primary")]
    [InlineData("merged", "merged", "success")]
    [InlineData("cancelled", "cancelled", "dark")]
    public void A_status_is_named_as_people_say_it_and_coloured_by_its_stage(string status, string title, string colour)
    {
        var chip = Render<LabelingStatusChip>(p => p.Add(c => c.Status, status)).Find(".mud-chip");

        Assert.Equal(title, chip.TextContent.Trim());
        Assert.Equal(status, chip.GetAttribute("data-status"));
        Assert.True(chip.ClassList.Contains($"mud-chip-color-{colour}"), chip.ClassName);
    }

    [Fact]
    public void Every_status_the_api_writes_has_a_title_of_its_own()
    {
        var statuses = Enum.GetValues<LabelingJobStatus>().Select(LabelingJobs.Status).ToList();

        var titles = statuses.Select(LabelingStatusChip.Title).ToList();

        Assert.Equal(["draft", "sent", "in progress", "delivered", "reviewed", "merged", "cancelled"], titles);
        Assert.Equal(statuses.Count, titles.Distinct().Count());
    }
}
