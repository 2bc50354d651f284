using QualityHub.Core.Capacity;
using QualityHub.Core.Metrics;

namespace QualityHub.Core.Tests;

public class CapacityPlannerTests
{
    [Theory]
    [InlineData(10, 7, 1)]
    [InlineData(10, 6, 1)]
    [InlineData(10, 5, 2)]
    public void The_issues_example_comes_out_exactly(double device, double model, int instances) =>
        Assert.Equal(instances, CapacityPlanner.Plan(new CapacityQuestion(device, model)).InstancesPerDevice);

    [Fact]
    public void Devices_and_cost_follow_from_the_throughput_and_the_target()
    {
        // 2 instances of 5 GB on a 10 GB GPU at 120 QPS each serve 240 QPS; 1,000 QPS need ⌈4.17⌉ = 5 devices.
        var answer = CapacityPlanner.Plan(new CapacityQuestion(10, 5, QpsPerInstance: 120, TargetQps: 1000, CostPerDeviceMonth: 1500m));

        Assert.Equal(2, answer.InstancesPerDevice);
        Assert.Equal(240, answer.QpsPerDevice);
        Assert.Equal(5, answer.DevicesNeeded);
        Assert.Equal(7500m, answer.MonthlyCost);
        Assert.Null(answer.Limitation);
    }

    [Fact]
    public void A_target_met_exactly_needs_no_extra_device() =>
        Assert.Equal(3, CapacityPlanner.Plan(new CapacityQuestion(10, 5, QpsPerInstance: 150, TargetQps: 900)).DevicesNeeded);

    [Fact]
    public void A_model_that_does_not_fit_says_so_instead_of_a_device_count()
    {
        var answer = CapacityPlanner.Plan(new CapacityQuestion(10, 12, QpsPerInstance: 100, TargetQps: 50));

        Assert.Equal(0, answer.InstancesPerDevice);
        Assert.Null(answer.DevicesNeeded);
        Assert.Contains("does not fit", answer.Limitation);
    }

    [Fact]
    public void Without_throughput_or_target_only_what_can_be_computed_is_given()
    {
        var fitOnly = CapacityPlanner.Plan(new CapacityQuestion(24, 7));
        var noTarget = CapacityPlanner.Plan(new CapacityQuestion(24, 7, QpsPerInstance: 10));

        Assert.Equal((3, (double?)null, (int?)null, (decimal?)null), (fitOnly.InstancesPerDevice, fitOnly.QpsPerDevice, fitOnly.DevicesNeeded, fitOnly.MonthlyCost));
        Assert.Equal(30, noTarget.QpsPerDevice);
        Assert.Null(noTarget.DevicesNeeded);
    }

    [Theory]
    [InlineData(0, "qpsPerInstance")]
    [InlineData(-5, "qpsPerInstance")]
    [InlineData(double.NaN, "qpsPerInstance")]
    [InlineData(2e9, "qpsPerInstance")]
    public void Impossible_throughput_is_refused_by_name(double qps, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CapacityPlanner.Plan(new CapacityQuestion(10, 5, QpsPerInstance: qps)));

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void A_negative_target_or_cost_is_refused_by_name()
    {
        Assert.Equal("targetQps", Assert.Throws<ArgumentOutOfRangeException>(() => CapacityPlanner.Plan(new CapacityQuestion(10, 5, 10, -1))).ParamName);
        Assert.Equal("costPerDeviceMonth", Assert.Throws<ArgumentOutOfRangeException>(() => CapacityPlanner.Plan(new CapacityQuestion(10, 5, 10, 100, -1m))).ParamName);
    }

    [Fact]
    public void A_device_serves_at_most_what_it_computes_however_many_instances_fit()
    {
        // 10 GB holds 1,000 instances of a 10 MB session; at 50 QPS each they would claim 50,000 QPS, but the device computed
        // 400: 8 instances keep it busy, and 1,000 QPS take 3 devices.
        var answer = CapacityPlanner.Plan(new CapacityQuestion(10, 0.01, QpsPerInstance: 50, TargetQps: 1000, DeviceQpsCeiling: 400));

        Assert.Equal((1000, 400.0, 3, true, 8), (answer.InstancesPerDevice, answer.QpsPerDevice!.Value, answer.DevicesNeeded!.Value, answer.ComputeBound, answer.UsefulInstances!.Value));
    }

    [Fact]
    public void Below_the_ceiling_memory_sets_the_devices_qps()
    {
        var answer = CapacityPlanner.Plan(new CapacityQuestion(10, 5, QpsPerInstance: 100, TargetQps: 1000, DeviceQpsCeiling: 1000));

        Assert.Equal((2, 200.0, false, 2), (answer.InstancesPerDevice, answer.QpsPerDevice!.Value, answer.ComputeBound, answer.UsefulInstances!.Value));
    }

    [Fact]
    public void The_cost_is_checked_against_the_budget_when_both_are_known()
    {
        Assert.True(CapacityPlanner.Plan(new CapacityQuestion(10, 5, 100, 400, 1000m, BudgetPerMonth: 2000m)).WithinBudget);
        Assert.False(CapacityPlanner.Plan(new CapacityQuestion(10, 5, 100, 401, 1000m, BudgetPerMonth: 2000m)).WithinBudget);
        Assert.Null(CapacityPlanner.Plan(new CapacityQuestion(10, 5, 100, 400, BudgetPerMonth: 2000m)).WithinBudget);
        Assert.Equal("budgetPerMonth", Assert.Throws<ArgumentOutOfRangeException>(() => CapacityPlanner.Plan(new CapacityQuestion(10, 5, BudgetPerMonth: -1m))).ParamName);
        Assert.Equal("deviceQpsCeiling", Assert.Throws<ArgumentOutOfRangeException>(() => CapacityPlanner.Plan(new CapacityQuestion(10, 5, DeviceQpsCeiling: double.PositiveInfinity))).ParamName);
    }

    [Fact]
    public void What_a_run_measured_becomes_memory_qps_per_instance_and_the_ceiling()
    {
        var metrics = RequirementsTests.Metrics(0.9, 0.8, 0.95, processingP95: 5, itemsPerSecond: 600, processingP50: 4) with
        {
            Memory = new MeasuredMemory(64L << 20, 60L << 20, 70L << 20, 3, "native heap in use (malloc)", "Cpu", "this machine's memory", 16L << 30),
        };

        var measured = CapacityMeasurement.Of(7, metrics);

        Assert.Equal((7, 0.0625, 250.0, 600.0, 16.0), (measured.RunId, measured.SessionMemoryGb!.Value, measured.QpsPerInstance!.Value, measured.DeviceQpsCeiling!.Value, measured.DeviceMemoryGb!.Value));
        Assert.Null(CapacityMeasurement.Of(8, metrics with { Memory = null }).SessionMemoryGb); // a run from before memory was measured
    }
}
