using QualityHub.Core.Labeling;

namespace QualityHub.Core.Tests.Labeling;

public sealed class LabelAgreementTests
{
    private static List<(string, string)> Pairs(string a, string b) => a.Zip(b, (x, y) => (x.ToString(), y.ToString())).ToList();

    [Fact]
    public void Kappa_counts_only_the_agreement_beyond_chance()
    {
        // p_o = 3/4; A is half a, half b; B a quarter a: p_e = 1/2 · 1/4 + 1/2 · 3/4 = 1/2; kappa = (3/4 − 1/2) / (1/2).
        Assert.Equal(0.5, LabelAgreement.CohenKappa(Pairs("aabb", "abbb"))!.Value, 12);
        Assert.Equal(0.75, LabelAgreement.Accuracy(Pairs("aabb", "abbb"))!.Value, 12);
        Assert.Equal(1, LabelAgreement.CohenKappa(Pairs("abcabc", "abcabc"))!.Value, 12);

        // Agreeing no more often than chance gives 0; always disagreeing on two balanced labels gives −1.
        Assert.Equal(0, LabelAgreement.CohenKappa(Pairs("aabb", "abab"))!.Value, 12);
        Assert.Equal(-1, LabelAgreement.CohenKappa(Pairs("abab", "baba"))!.Value, 12);
    }

    [Fact]
    public void Kappa_is_undefined_without_pairs_or_when_both_sides_used_one_label()
    {
        Assert.Null(LabelAgreement.CohenKappa([]));
        Assert.Null(LabelAgreement.Accuracy([]));
        Assert.Null(LabelAgreement.CohenKappa(Pairs("aaa", "aaa")));
        Assert.Equal(0, LabelAgreement.CohenKappa(Pairs("aaa", "aab"))!.Value, 12); // one side with one label: it agrees exactly as often as chance
    }

    [Fact]
    public void A_job_moves_only_along_its_flow_and_stops_when_merged_or_cancelled()
    {
        Assert.True(LabelingJobFlow.CanMove(LabelingJobStatus.Draft, LabelingJobStatus.Sent));
        Assert.True(LabelingJobFlow.CanMove(LabelingJobStatus.Delivered, LabelingJobStatus.InProgress)); // a delivery sent back
        Assert.False(LabelingJobFlow.CanMove(LabelingJobStatus.Draft, LabelingJobStatus.Merged));
        Assert.False(LabelingJobFlow.CanMove(LabelingJobStatus.Sent, LabelingJobStatus.Delivered));
        Assert.Empty(LabelingJobFlow.Next(LabelingJobStatus.Merged));
        Assert.Empty(LabelingJobFlow.Next(LabelingJobStatus.Cancelled));
        Assert.All(Enum.GetValues<LabelingJobStatus>().Where(s => !LabelingJobFlow.IsClosed(s)),
            s => Assert.Contains(LabelingJobStatus.Cancelled, LabelingJobFlow.Next(s)));
    }

    [Fact]
    public void A_job_over_its_budget_or_past_its_deadline_is_flagged()
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        Assert.Empty(LabelingJobFlow.Flags(1000, 0.05m, 50m, "EUR", now.AddDays(1), LabelingJobStatus.Sent, now));
        var over = Assert.Single(LabelingJobFlow.Flags(1001, 0.05m, 50m, "EUR", null, LabelingJobStatus.Draft, now));
        Assert.Equal("Over budget: 1,001 items × 0.05 EUR = 50.05 EUR, above the budget of 50.00 EUR.", over);
        var late = Assert.Single(LabelingJobFlow.Flags(10, 1m, 10m, "USD", now.AddDays(-2), LabelingJobStatus.InProgress, now));
        Assert.Equal("Past its deadline of 2026-12-04 and not delivered.", late);
        Assert.Empty(LabelingJobFlow.Flags(10, 1m, 10m, "USD", now.AddDays(-2), LabelingJobStatus.Delivered, now));
        Assert.Empty(LabelingJobFlow.Flags(10, 1m, 10m, "USD", now.AddDays(-2), LabelingJobStatus.Cancelled, now));
    }
}
