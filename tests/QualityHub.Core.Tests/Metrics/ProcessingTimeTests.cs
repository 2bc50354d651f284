using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests.Metrics;

public sealed class ProcessingTimeTests
{
    // Inputs of 1, 2, …, 100 ms: decode a tenth of each, the model half, pre- and post-processing a fifth each.
    private static List<TimedInput> OneToHundred() =>
        Enumerable.Range(1, 100).Select(ms => new TimedInput(ms * 0.1, ms * 0.2, ms * 0.5, ms * 0.2, ms)).ToList();

    [Fact]
    public void Percentiles_are_over_whole_inputs_and_the_p95_interval_holds_it()
    {
        var time = ProcessingTime.Of(OneToHundred(), elapsedSeconds: 5.05)!;

        Assert.Equal(100, time.Samples);
        Assert.Equal(50.5, time.P50Ms, precision: 9);
        Assert.Equal(95.05, time.P95Ms.Value, precision: 9);
        Assert.Equal(99.01, time.P99Ms, precision: 9);
        Assert.Equal(100, time.MaxMs);
        Assert.InRange(time.P95Ms.Low, 88, 95.05);
        Assert.InRange(time.P95Ms.High, 95.05, 100);
        Assert.True(time.P95Ms.High > time.P95Ms.Low, "a p95 over 100 inputs is not known exactly");
        Assert.Equal(100 / 5.05, time.ItemsPerSecond, precision: 9);
        Assert.Equal([5.05, 10.1, 25.25, 10.1], new[] { time.Stages.DecodeMs, time.Stages.PreprocessMs, time.Stages.ComputeMs, time.Stages.PostprocessMs }.Select(v => Math.Round(v, 9)));
        Assert.Equal(100, time.Histogram.Counts.Sum());
    }

    [Fact]
    public void The_interval_is_the_same_for_the_same_seed_and_narrows_with_more_inputs()
    {
        var few = ProcessingTime.Of(OneToHundred(), 1)!;
        var again = ProcessingTime.Of(OneToHundred(), 1)!;
        var many = ProcessingTime.Of(Enumerable.Repeat(OneToHundred(), 20).SelectMany(x => x).ToList(), 1)!;

        Assert.Equal(few.P95Ms, again.P95Ms);
        Assert.True(many.P95Ms.High - many.P95Ms.Low < few.P95Ms.High - few.P95Ms.Low);
    }

    [Fact]
    public void Nothing_timed_is_not_measured_rather_than_zero() => Assert.Null(ProcessingTime.Of([], 1));
}
