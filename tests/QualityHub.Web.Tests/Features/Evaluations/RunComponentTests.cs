using Bunit;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Evaluations;

namespace QualityHub.Web.Tests.Features.Evaluations;

/// <summary>The pieces of the Evaluations pages: a run's progress, its status chip and the headline tiles.</summary>
public sealed class RunComponentTests : ComponentTests
{
    private static RunSummary Run(RunStatus status, int done = 0, int total = 0, double perSecond = 0, double? eta = null) => new(
        Id: 12, ModuleId: 1, Module: "fashion", TaskType: TaskType.ImageClassification, ModelVersionId: 3, Version: "fashion-cnn-v1",
        DatasetId: 2, Dataset: "fashion-mnist-test-2000", Status: status, Done: done, Total: total, ItemsPerSecond: perSecond, EtaSeconds: eta,
        Provider: "CPU", Error: null, CreatedAt: DateTimeOffset.UnixEpoch, StartedAt: null, CompletedAt: null, Headline: null, ProcessingTime: null);

    [Fact]
    public void A_running_run_shows_done_of_total_its_rate_and_time_left()
    {
        var cut = Render<RunProgress>(p => p.Add(c => c.Run, Run(RunStatus.Running, done: 1500, total: 20000, perSecond: 812.4, eta: 125.2)));

        var progress = cut.Find(".qh-run-progress");
        Assert.Equal("1500", progress.GetAttribute("data-done"));
        Assert.Equal("20000", progress.GetAttribute("data-total"));
        var text = cut.Find("small").TextContent;
        Assert.Contains("1,500 / 20,000", text);
        Assert.Contains("812 items/s", text);
        Assert.Contains("2 min 6 s left", text);
        Assert.DoesNotContain("waiting", text);
        Assert.Equal("7.5", cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void A_queued_run_says_it_waits_for_the_device_without_a_rate_it_does_not_have()
    {
        var cut = Render<RunProgress>(p => p.Add(c => c.Run, Run(RunStatus.Queued, total: 2000)));

        var text = cut.Find("small").TextContent;
        Assert.Contains("0 / 2,000", text);
        Assert.Contains("waiting for the device", text);
        Assert.DoesNotContain("items/s", text);
        Assert.DoesNotContain("left", text);
    }

    [Fact]
    public void Under_a_minute_left_is_said_in_seconds()
    {
        var cut = Render<RunProgress>(p => p.Add(c => c.Run, Run(RunStatus.Running, done: 10, total: 20, perSecond: 1, eta: 9.2)));

        Assert.Contains("10 s left", cut.Find("small").TextContent);
    }

    [Theory]
    [InlineData(RunStatus.Completed)]
    [InlineData(RunStatus.Failed)]
    [InlineData(RunStatus.Cancelled)]
    public void A_finished_run_shows_no_progress(RunStatus status)
    {
        var cut = Render<RunProgress>(p => p.Add(c => c.Run, Run(status, done: 20, total: 20)));

        Assert.Empty(cut.FindAll(".qh-run-progress"));
    }

    [Fact]
    public void Progress_disappears_when_the_run_it_follows_completes()
    {
        var cut = Render<RunProgress>(p => p.Add(c => c.Run, Run(RunStatus.Running, done: 5, total: 20)));
        Assert.Single(cut.FindAll(".qh-run-progress"));

        cut.Render(p => p.Add(c => c.Run, Run(RunStatus.Completed, done: 20, total: 20)));

        Assert.Empty(cut.FindAll(".qh-run-progress"));
    }

    [Fact]
    public void Each_run_status_has_its_own_word_and_look()
    {
        var chips = Enum.GetValues<RunStatus>().Select(status =>
        {
            var chip = Render<RunStatusChip>(p => p.Add(c => c.Status, status)).Find(".qh-run-status");
            Assert.Equal(status.ToString().ToLowerInvariant(), chip.GetAttribute("data-status"));
            Assert.Equal(status.ToString().ToLowerInvariant(), chip.TextContent.Trim());
            return chip.ClassName;
        }).ToList();

        Assert.Equal(chips.Count, chips.Distinct().Count());
    }

    [Fact]
    public void A_tile_shows_its_value_and_label_and_a_detail_only_when_given()
    {
        var plain = Render<Tile>(p => p.Add(c => c.Label, "accuracy").Add(c => c.Value, "91.2 %"));
        var detailed = Render<Tile>(p => p.Add(c => c.Label, "accuracy").Add(c => c.Value, "91.2 %").Add(c => c.Detail, "95 % CI 90.0 – 92.4 %"));

        Assert.Equal("accuracy", plain.Find(".qh-tile").GetAttribute("data-label"));
        Assert.Equal("91.2 %", plain.Find(".qh-tile-value").TextContent);
        Assert.Equal("accuracy", plain.Find(".qh-tile-label").TextContent);
        Assert.Empty(plain.FindAll(".qh-tile-detail"));
        Assert.Equal("95 % CI 90.0 – 92.4 %", detailed.Find(".qh-tile-detail").TextContent);
    }
}
