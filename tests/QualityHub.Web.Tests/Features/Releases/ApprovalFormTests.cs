using QualityHub.Core.Domain;
using QualityHub.Core.Requirements;
using QualityHub.Web.Features.Releases;

namespace QualityHub.Web.Tests.Features.Releases;

public sealed class ApprovalFormTests
{
    private static readonly ChecklistItem Failing = new(1, "classifier", 10, "v2", "Accuracy", CheckOutcome.Fail, "0.80 < 0.90", true, null);
    private static readonly ChecklistItem Unmeasured = new(2, "recognizer", 20, "r1", "Latency", CheckOutcome.NotMeasured, "no run", true, null);
    private static readonly ChecklistItem Fixed = new(1, "classifier", 10, "v2", "Licence", CheckOutcome.Fail, "NC", false, null);

    private static ReleaseChecklist Draft(params ChecklistItem[] items) => new(5, "2026.12", ReleaseStatus.Draft, [], items);

    [Fact]
    public void An_item_with_a_reason_is_settled_on_a_draft_only_when_it_may_be_waived()
    {
        var form = new ApprovalForm();
        var draft = Draft(Failing, Fixed);

        form.SetReason((1, "Accuracy"), "known gap");
        form.SetReason((1, "Licence"), "we asked");

        Assert.True(form.Settled(draft, Failing));
        Assert.False(form.Settled(draft, Fixed));
        Assert.Equal(1, form.Open(draft));
        Assert.False(form.Settled(draft with { Status = ReleaseStatus.Current }, Failing));
    }

    [Fact]
    public void Missing_modules_and_unmeasured_items_without_a_reason_count_as_open()
    {
        var checklist = Draft(Unmeasured) with { MissingModules = ["detector"] };

        Assert.Equal(2, new ApprovalForm().Open(checklist));
        Assert.False(new ApprovalForm().Ready(checklist));
    }

    [Fact]
    public void The_request_sends_only_reasons_given_and_a_refused_waiver_finds_its_row()
    {
        var form = new ApprovalForm();
        form.SetSignOff(true);
        form.SetReason((1, "Accuracy"), "  ");
        form.SetReason((2, "Latency"), "measured offline");

        var request = form.Request();

        Assert.Equal(new WaiverInput(2, "Latency", "measured offline"), Assert.Single(request.Waivers!));
        Assert.True(form.Refuse(new ReleaseException("waivers[0] names Latency …", 422, "waivers[0]")));
        Assert.Equal("waivers[0] names Latency …", form.WaiverError((2, "Latency")));
        Assert.Null(form.WaiverError((1, "Accuracy")));

        form.SetReason((2, "Latency"), "other");
        Assert.Null(form.WaiverError((2, "Latency")));
    }

    [Fact]
    public void A_sign_off_refusal_lands_on_its_field_and_others_do_not()
    {
        var form = new ApprovalForm();
        form.Request();

        Assert.True(form.Refuse(new ReleaseException("signOff must be true …", 422, "signOff")));
        Assert.False(form.Refuse(new ReleaseException("approvedBy …", 422, "approvedBy"))); // the approver is the sign-in, not a field
        Assert.False(form.Refuse(new ReleaseException("cannot be approved yet", 422)));
        Assert.False(form.Refuse(new ReleaseException("waivers[3] …", 422, "waivers[3]")));
        Assert.Equal("signOff must be true …", form.SignOffError);

        form.SetSignOff(true);
        Assert.Null(form.SignOffError);
    }
}
