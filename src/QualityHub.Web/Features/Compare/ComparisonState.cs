using QualityHub.Core.Domain;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Features.Compare;

/// <summary>What the Compare page compares: the versions chosen, the input, and each candidate's answer to it so far.</summary>
public sealed class ComparisonState
{
    private readonly List<int> chosen = [];
    private readonly Dictionary<int, CandidateResult> results = [];

    /// <summary>The version ids ticked, in the order they were ticked; at most <see cref="CompareOptions.MaxCandidates"/>.</summary>
    public IReadOnlyList<int> ChosenIds => chosen;

    /// <summary>The chosen versions, resolved and ready to run.</summary>
    public IReadOnlyList<Candidate> Candidates { get; private set; } = [];

    /// <summary>The candidates running on the current input; a later change of choice does not change these.</summary>
    public IReadOnlyList<Candidate> Shown { get; private set; } = [];

    public CompareInput? Input { get; private set; }

    public string? PreviewUrl { get; private set; }

    public string InputLabel { get; private set; } = "";

    /// <summary>The PNG of an upload, drawing or paste (a sample has its image in the store already).</summary>
    public byte[]? UploadedPng { get; private set; }

    /// <summary>Counts the inputs; an answer to an older one is dropped.</summary>
    public int Run { get; private set; }

    public bool Complete => Shown.Count > 0 && Shown.All(c => results.ContainsKey(c.VersionId));

    public bool Disagreement => Answers.Distinct().Count() > 1;

    /// <summary>The answer more candidates gave than any other, when at least two gave it.</summary>
    public string? Majority => Answers.GroupBy(a => a).Where(g => g.Count() > 1).MaxBy(g => g.Count())?.Key;

    /// <summary>The ground truth to offer when keeping the input: the sample's, or else the first answer.</summary>
    public string? SuggestedTruth => Input?.GroundTruth ?? results.Values.FirstOrDefault(r => r.Succeeded)?.Output;

    private IEnumerable<string?> Answers => results.Values.Where(r => r.Succeeded).Select(r => r.Output);

    public bool IsChosen(int versionId) => chosen.Contains(versionId);

    /// <summary>Whether ticking this version is allowed now: it is ticked already, or there is room for one more.</summary>
    public bool CanChoose(int versionId) => IsChosen(versionId) || chosen.Count < CompareOptions.MaxCandidates;

    /// <summary>A module's first versions that are neither retired nor superseded, as a page opened without a choice starts.</summary>
    public void ChooseDefault(IEnumerable<ModelVersionSummary> versions) =>
        Choose(versions.Where(v => v.Status is not (ModelStatus.Retired or ModelStatus.Superseded)).Select(v => v.Id));

    /// <summary>Exactly these versions (unknown ids and those beyond the limit left out), as a link asks.</summary>
    public void ChooseOnly(IEnumerable<int> versionIds, IEnumerable<ModelVersionSummary> versions)
    {
        var known = versions.Select(v => v.Id).ToHashSet();
        Choose(versionIds.Where(known.Contains));
    }

    /// <summary>Ticks or unticks one version; returns false when the tick is refused because four are chosen already.</summary>
    public bool Toggle(int versionId, bool on)
    {
        chosen.Remove(versionId);
        if (!on)
        {
            return true;
        }

        if (chosen.Count >= CompareOptions.MaxCandidates)
        {
            return false;
        }

        chosen.Add(versionId);
        return true;
    }

    public void Resolved(IReadOnlyList<Candidate> candidates) => Candidates = candidates;

    /// <summary>Forgets the input and its answers (another module).</summary>
    public void ClearInput()
    {
        (Input, PreviewUrl, InputLabel, UploadedPng, Shown) = (null, null, "", null, []);
        results.Clear();
    }

    /// <summary>Makes this the input for the candidates chosen now and returns its run number.</summary>
    public int Start(CompareInput input, string? previewUrl, string label, byte[]? png)
    {
        (Input, PreviewUrl, InputLabel, UploadedPng) = (input, previewUrl, label, png);
        results.Clear();
        Shown = Candidates;
        return ++Run;
    }

    /// <summary>Keeps an answer of this run; returns false for an answer to an input already replaced or to a candidate not shown.</summary>
    public bool Record(int run, CandidateResult result)
    {
        if (run != Run || Shown.All(c => c.VersionId != result.ModelVersionId))
        {
            return false;
        }

        results[result.ModelVersionId] = result;
        return true;
    }

    public CandidateResult? ResultOf(int versionId) => results.GetValueOrDefault(versionId);

    /// <summary>Whether this answer, once all are in, differs from the majority; with no majority every answer does.</summary>
    public bool Disagrees(CandidateResult? result) =>
        Complete && result is { Succeeded: true } && Disagreement && result.Output != Majority;

    private void Choose(IEnumerable<int> versionIds)
    {
        chosen.Clear();
        chosen.AddRange(versionIds.Distinct().Take(CompareOptions.MaxCandidates));
    }
}
