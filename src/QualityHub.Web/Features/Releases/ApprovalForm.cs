using QualityHub.Core.Domain;

namespace QualityHub.Web.Features.Releases;

/// <summary>
/// The approval of a draft: the sign-off itself, a reason per waived checklist item, what is still open, and the
/// server's refusals on the field they concern (the sign-off, or one waiver's reason). Who signs off is the signed-in
/// user, never a field.
/// </summary>
public sealed class ApprovalForm
{
    private readonly Dictionary<(int ModuleId, string Requirement), string> reasons = [];
    private readonly Dictionary<string, string> errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int, string)> sentWaivers = new(StringComparer.Ordinal);

    public bool SignOff { get; private set; }

    public string? SignOffError => errors.GetValueOrDefault("signOff");

    public string? ReasonOf((int ModuleId, string Requirement) key) => reasons.GetValueOrDefault(key);

    public string? WaiverError((int ModuleId, string Requirement) key) => errors.GetValueOrDefault(WaiverField(key));

    public void SetSignOff(bool signOff)
    {
        SignOff = signOff;
        errors.Remove("signOff");
    }

    public void SetReason((int ModuleId, string Requirement) key, string? reason)
    {
        reasons[key] = reason ?? "";
        errors.Remove(WaiverField(key));
    }

    /// <summary>Met, waived already, or — on a draft — given a reason here.</summary>
    public bool Settled(ReleaseChecklist checklist, ChecklistItem item) =>
        item.Settled || (item.Waivable && checklist.Status == ReleaseStatus.Draft && !string.IsNullOrWhiteSpace(ReasonOf((item.ModuleId, item.Requirement))));

    /// <summary>Items not settled, and modules without a version, each one open point.</summary>
    public int Open(ReleaseChecklist checklist) => checklist.Items.Count(i => !Settled(checklist, i)) + checklist.MissingModules.Count;

    public bool Ready(ReleaseChecklist checklist) => Open(checklist) == 0;

    /// <summary>The request to send; it remembers which waiver went where so that a refusal of waivers[i] finds its row.</summary>
    public ApprovalRequest Request()
    {
        var waivers = reasons.Where(r => !string.IsNullOrWhiteSpace(r.Value)).Select(r => (r.Key, new WaiverInput(r.Key.ModuleId, r.Key.Requirement, r.Value))).ToList();
        sentWaivers.Clear();
        for (var i = 0; i < waivers.Count; i++)
        {
            sentWaivers[$"waivers[{i}]"] = waivers[i].Key;
        }

        errors.Clear();
        return new ApprovalRequest(SignOff, waivers.Select(w => w.Item2).ToList());
    }

    /// <summary>Puts a refusal on its field; false when it concerns no field of this form (e.g. open items).</summary>
    public bool Refuse(ReleaseException refusal)
    {
        switch (refusal.Field)
        {
            case "signOff":
                errors[refusal.Field] = refusal.Message;
                return true;
            case { } field when sentWaivers.TryGetValue(field, out var key):
                errors[WaiverField(key)] = refusal.Message;
                return true;
            default:
                return false;
        }
    }

    private static string WaiverField((int ModuleId, string Requirement) key) => $"waiver:{key.ModuleId}:{key.Requirement}";
}
