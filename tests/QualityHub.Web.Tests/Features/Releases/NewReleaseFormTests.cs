using QualityHub.Core.Domain;
using QualityHub.Web.Features.Releases;

namespace QualityHub.Web.Tests.Features.Releases;

public sealed class NewReleaseFormTests
{
    private static ReleaseView Release(string name, ReleaseStatus status, params (int Module, int Version)[] entries) =>
        new(1, name, status, "", null, DateTimeOffset.UnixEpoch, null,
            entries.Select(e => new ReleaseEntryView(e.Module, $"m{e.Module}", TaskType.ImageClassification, e.Version, $"v{e.Version}", null, null)).ToList());

    [Fact]
    public void The_picks_start_from_the_current_release_not_the_latest()
    {
        var form = new NewReleaseForm();

        form.PresetFrom([Release("a", ReleaseStatus.Current, (1, 10), (2, 20)), Release("b", ReleaseStatus.Draft, (1, 11))]);

        Assert.Equal([10, 20], form.VersionIds.Order());
    }

    [Fact]
    public void Without_a_current_release_the_picks_start_from_the_latest()
    {
        var form = new NewReleaseForm();

        form.PresetFrom([Release("a", ReleaseStatus.Superseded, (1, 10)), Release("b", ReleaseStatus.Draft, (1, 11))]);

        Assert.Equal([11], form.VersionIds);
    }

    [Fact]
    public void A_cleared_pick_leaves_its_module_out()
    {
        var form = new NewReleaseForm();
        form.Pick(1, 10);
        form.Pick(2, 20);

        form.Pick(2, null);

        Assert.Equal([10], form.VersionIds);
    }

    [Fact]
    public void Refusals_of_the_name_or_the_versions_land_there_until_that_field_changes()
    {
        var form = new NewReleaseForm();

        Assert.True(form.Refuse(new ReleaseException("There is already a release named 'x'.", 409, "name")));
        Assert.True(form.Refuse(new ReleaseException("one version per module", 422, "modelVersionIds")));
        Assert.False(form.Refuse(new ReleaseException("something else")));
        Assert.Equal("There is already a release named 'x'.", form.NameError);

        form.SetName("y");
        Assert.Null(form.NameError);
        Assert.Equal("one version per module", form.VersionsError);

        form.Pick(1, 3);
        Assert.Null(form.VersionsError);
    }

    [Fact]
    public void A_created_draft_empties_name_and_rationale_and_keeps_the_picks()
    {
        var form = new NewReleaseForm { Rationale = "why" };
        form.SetName("2026.12");
        form.Pick(1, 10);

        form.Created();

        Assert.Equal("", form.Name);
        Assert.Equal("", form.Rationale);
        Assert.Equal([10], form.VersionIds);
    }
}
