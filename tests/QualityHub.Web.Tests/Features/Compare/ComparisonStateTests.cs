using QualityHub.Core.Domain;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>The Compare page's state: which versions are chosen, which input runs, and how its answers are judged.</summary>
public sealed class ComparisonStateTests
{
    private static readonly ModelCard Card = ModelCard.Load(RepositoryFiles.Path("data", "demo", "models", "fashion-linear-v1.card.json"));

    private static Candidate Candidate(int id) =>
        new(id, $"v{id}", 1, "fashion", TaskType.ImageClassification, new ModelSpec($"key{id}", $"v{id}.onnx", $"v{id}"), Card);

    private static ModelVersionSummary Version(int id, ModelStatus status = ModelStatus.Candidate) =>
        new(id, 1, "fashion", TaskType.ImageClassification, $"v{id}", status, "sha", 1000, null, null, null, null, DateTimeOffset.UnixEpoch);

    private static CandidateResult Answer(int id, string? output, string? error = null) =>
        new(id, $"v{id}", error is null ? output : null, 0.9f, [], null, null, null, null, error, 1);

    private static CompareInput Input(string? truth = "Shirt") =>
        new(new Image(28, 28, 1), truth is null ? null : new SampleRef(7, 2, 3, "sha", truth, ["shadow"]));

    private static ComparisonState Running(params int[] ids)
    {
        var state = new ComparisonState();
        state.Resolved([.. ids.Select(Candidate)]);
        state.Start(Input(), "api/samples/7/image", "Sample #3", null);
        return state;
    }

    [Fact]
    public void By_default_the_first_four_versions_that_are_not_retired_are_chosen()
    {
        var state = new ComparisonState();

        state.ChooseDefault([Version(1, ModelStatus.Retired), Version(2), Version(3), Version(4, ModelStatus.Released), Version(5), Version(6)]);

        Assert.Equal([2, 3, 4, 5], state.ChosenIds);
    }

    [Fact]
    public void A_link_chooses_only_versions_of_the_module_once_each_and_at_most_four()
    {
        var state = new ComparisonState();
        IReadOnlyList<ModelVersionSummary> versions = [Version(1), Version(2), Version(3), Version(4), Version(5)];

        state.ChooseOnly([9, 2, 2, 0, 1, 3, 4, 5], versions);

        Assert.Equal([2, 1, 3, 4], state.ChosenIds);
    }

    [Fact]
    public void A_fifth_tick_is_refused_and_an_untick_makes_room()
    {
        var state = new ComparisonState();
        state.ChooseOnly([1, 2, 3, 4], [Version(1), Version(2), Version(3), Version(4), Version(5)]);

        Assert.False(state.CanChoose(5));
        Assert.False(state.Toggle(5, on: true));
        Assert.Equal([1, 2, 3, 4], state.ChosenIds);

        Assert.True(state.Toggle(2, on: false));
        Assert.True(state.CanChoose(5));
        Assert.True(state.Toggle(5, on: true));
        Assert.Equal([1, 3, 4, 5], state.ChosenIds);
    }

    [Fact]
    public void A_new_input_runs_the_candidates_chosen_then_and_drops_answers_to_the_old_one()
    {
        var state = new ComparisonState();
        state.Resolved([Candidate(1), Candidate(2)]);
        var first = state.Start(Input(), null, "first", null);
        Assert.True(state.Record(first, Answer(1, "Shirt")));

        state.Resolved([Candidate(1), Candidate(2), Candidate(3)]);
        Assert.Equal([1, 2], state.Shown.Select(c => c.VersionId));

        var second = state.Start(Input(truth: null), "blob:preview", "Pasted image", [1, 2, 3]);

        Assert.Equal(first + 1, second);
        Assert.Equal([1, 2, 3], state.Shown.Select(c => c.VersionId));
        Assert.Null(state.ResultOf(1));
        Assert.False(state.Record(first, Answer(2, "Shirt")));
        Assert.Null(state.ResultOf(2));
        Assert.Equal(("blob:preview", "Pasted image"), (state.PreviewUrl, state.InputLabel));
        Assert.Equal([1, 2, 3], state.UploadedPng);
    }

    [Fact]
    public void An_answer_from_a_candidate_not_shown_is_not_kept()
    {
        var state = Running(1, 2);

        Assert.False(state.Record(state.Run, Answer(3, "Shirt")));
        Assert.Null(state.ResultOf(3));
    }

    [Fact]
    public void The_comparison_is_complete_when_every_shown_candidate_answered_or_failed()
    {
        var state = Running(1, 2);
        Assert.False(state.Complete);

        state.Record(state.Run, Answer(1, "Shirt"));
        Assert.False(state.Complete);

        state.Record(state.Run, Answer(2, null, error: "input is 32×32"));
        Assert.True(state.Complete);
    }

    [Fact]
    public void Once_complete_the_answers_other_than_the_majority_disagree_and_a_failure_does_not()
    {
        var state = Running(1, 2, 3, 4);
        state.Record(state.Run, Answer(1, "Shirt"));
        state.Record(state.Run, Answer(2, "Shirt"));
        state.Record(state.Run, Answer(3, "T-shirt/top"));
        Assert.False(state.Disagrees(state.ResultOf(3)));

        state.Record(state.Run, Answer(4, null, error: "failed"));

        Assert.True(state.Disagreement);
        Assert.Equal("Shirt", state.Majority);
        Assert.False(state.Disagrees(state.ResultOf(1)));
        Assert.True(state.Disagrees(state.ResultOf(3)));
        Assert.False(state.Disagrees(state.ResultOf(4)));
    }

    [Fact]
    public void With_no_majority_every_answer_disagrees_and_with_one_answer_none_does()
    {
        var split = Running(1, 2);
        split.Record(split.Run, Answer(1, "Shirt"));
        split.Record(split.Run, Answer(2, "Coat"));
        Assert.Null(split.Majority);
        Assert.True(split.Disagrees(split.ResultOf(1)));
        Assert.True(split.Disagrees(split.ResultOf(2)));

        var agreed = Running(1, 2);
        agreed.Record(agreed.Run, Answer(1, "Coat"));
        agreed.Record(agreed.Run, Answer(2, "Coat"));
        Assert.False(agreed.Disagreement);
        Assert.False(agreed.Disagrees(agreed.ResultOf(1)));
    }

    [Fact]
    public void The_truth_offered_for_a_collection_is_the_samples_or_else_the_first_answer()
    {
        var sample = Running(1);
        sample.Record(sample.Run, Answer(1, "Coat"));
        Assert.Equal("Shirt", sample.SuggestedTruth);

        var upload = new ComparisonState();
        upload.Resolved([Candidate(1), Candidate(2)]);
        var run = upload.Start(Input(truth: null), null, "Uploaded image", [1]);
        Assert.Null(upload.SuggestedTruth);
        upload.Record(run, Answer(1, null, error: "failed"));
        upload.Record(run, Answer(2, "Bag"));
        Assert.Equal("Bag", upload.SuggestedTruth);
    }

    [Fact]
    public void Clearing_the_input_forgets_it_and_its_answers_but_not_the_choice()
    {
        var state = Running(1, 2);
        state.Record(state.Run, Answer(1, "Shirt"));

        state.ClearInput();

        Assert.Null(state.Input);
        Assert.Empty(state.Shown);
        Assert.Null(state.ResultOf(1));
        Assert.False(state.Complete);
        Assert.Equal(2, state.Candidates.Count);
    }
}
