using QualityHub.Core.Capacity;

namespace QualityHub.Core.Tests;

public class DeviceFitTests
{
    [Theory]
    [InlineData(10, 7, 1)]
    [InlineData(10, 6, 1)]
    [InlineData(10, 5, 2)]
    [InlineData(10, 11, 0)]
    [InlineData(24, 0.5, 48)]
    [InlineData(80, 3.3, 24)]
    public void Instances_fit_step_wise(double device, double model, int expected) =>
        Assert.Equal(expected, DeviceFit.InstancesPerDevice(device, model));

    [Fact]
    public void Exact_division_is_not_lost_to_floating_point() =>
        // 0.3 / 0.1 is 2.9999999999999996 in doubles; three 0.1 GB models do fit in 0.3 GB.
        Assert.Equal(3, DeviceFit.InstancesPerDevice(0.3, 0.1));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-10, 1)]
    [InlineData(10, 0)]
    [InlineData(10, -1)]
    [InlineData(double.NaN, 1)]
    [InlineData(10, double.PositiveInfinity)]
    public void Impossible_memory_sizes_are_refused(double device, double model) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceFit.InstancesPerDevice(device, model));
}
