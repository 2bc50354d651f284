using QualityHub.Inference.Engine;

namespace QualityHub.Worker.Tests;

/// <summary>A model is quarantined by the second death of the isolated worker it was running in, not by one death's many requests.</summary>
public sealed class ModelQuarantineTests
{
    private static readonly ModelSpec Model = new(new string('a', 64), "not read", "module/v1");

    [Fact]
    public void One_death_counts_once_however_many_requests_it_took_and_the_second_quarantines_once()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 6, 4, 12, 0, TimeSpan.Zero));
        var quarantine = new ModelQuarantine(clock);

        Assert.False(quarantine.RecordCrash(Model.Key, Model.DisplayName, 1, "first death"));
        Assert.False(quarantine.RecordCrash(Model.Key, Model.DisplayName, 1, "first death"));
        Assert.Null(quarantine.Find(Model.Key));
        quarantine.ThrowIfQuarantined(Model); // still runs

        Assert.True(quarantine.RecordCrash(Model.Key, Model.DisplayName, 2, "second death"));
        Assert.False(quarantine.RecordCrash(Model.Key, Model.DisplayName, 2, "second death")); // already quarantined
        var quarantined = quarantine.Find(Model.Key)!;
        Assert.Equal("It was running each of the 2 times the isolated worker process died; the last time: second death", quarantined.Reason);
        var refused = Assert.Throws<ModelQuarantinedException>(() => quarantine.ThrowIfQuarantined(Model));
        Assert.Equal("Model 'module/v1' is quarantined since 2026-12-06 04:12 UTC: It was running each of the 2 times the isolated worker process died; the last time: second death", refused.Message);
        Assert.Single(quarantine.All());
    }

    [Fact]
    public void Lifting_forgets_the_crashes_and_a_model_not_quarantined_is_not_lifted()
    {
        var quarantine = new ModelQuarantine(TimeProvider.System);
        quarantine.RecordCrash(Model.Key, Model.DisplayName, 1, "first");
        Assert.False(quarantine.Lift(Model.Key)); // counted against, not quarantined
        quarantine.RecordCrash(Model.Key, Model.DisplayName, 2, "second");
        quarantine.RecordCrash(Model.Key, Model.DisplayName, 3, "third");

        Assert.True(quarantine.Lift(Model.Key));

        Assert.Null(quarantine.Find(Model.Key));
        Assert.False(quarantine.RecordCrash(Model.Key, Model.DisplayName, 4, "after the lift")); // two chances again
    }
}
