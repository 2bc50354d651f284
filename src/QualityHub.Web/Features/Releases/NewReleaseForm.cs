using QualityHub.Core.Domain;

namespace QualityHub.Web.Features.Releases;

/// <summary>
/// The new-release form: a name, a rationale and one picked version per module (preset to what ships now), and the
/// server's refusals on the field they concern — the name, or the versions picked.
/// </summary>
public sealed class NewReleaseForm
{
    private readonly Dictionary<int, int?> picks = [];
    private readonly Dictionary<string, string> errors = new(StringComparer.Ordinal);

    public string Name { get; private set; } = "";

    public string Rationale { get; set; } = "";

    /// <summary>The versions the release would fix, one per module with a pick.</summary>
    public IReadOnlyList<int> VersionIds => picks.Values.OfType<int>().ToList();

    public string? NameError => errors.GetValueOrDefault("name");

    public string? VersionsError => errors.GetValueOrDefault("modelVersionIds");

    public int? PickOf(int moduleId) => picks.GetValueOrDefault(moduleId);

    public void SetName(string? name)
    {
        Name = name ?? "";
        errors.Remove("name");
    }

    public void Pick(int moduleId, int? versionId)
    {
        picks[moduleId] = versionId;
        errors.Remove("modelVersionIds");
    }

    /// <summary>Picks what ships now: the current release's versions, else the latest release's.</summary>
    public void PresetFrom(IReadOnlyList<ReleaseView> releases)
    {
        var basis = releases.LastOrDefault(r => r.Status == ReleaseStatus.Current) ?? releases.LastOrDefault();
        foreach (var entry in basis?.Entries ?? [])
        {
            picks[entry.ModuleId] = entry.ModelVersionId;
        }
    }

    /// <summary>A draft was created: the name and rationale empty for the next one; the picks stay.</summary>
    public void Created()
    {
        Name = "";
        Rationale = "";
        errors.Clear();
    }

    /// <summary>Puts a refusal on its field; false when it concerns no field of this form.</summary>
    public bool Refuse(ReleaseException refusal)
    {
        if (refusal.Field is not ("name" or "modelVersionIds"))
        {
            return false;
        }

        errors[refusal.Field] = refusal.Message;
        return true;
    }
}
