using QualityHub.Core.Capacity;

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
}
