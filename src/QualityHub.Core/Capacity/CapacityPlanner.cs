namespace QualityHub.Core.Capacity;

/// <summary>A capacity question: a device, a model, and optionally its throughput, the target and the price of a device.</summary>
public sealed record CapacityQuestion(
    double DeviceMemoryGb, double ModelMemoryGb, double? QpsPerInstance = null, double? TargetQps = null, decimal? CostPerDeviceMonth = null);

/// <summary>
/// The answer: instances per device (step-wise), requests per second one device serves, devices for the target and
/// their monthly cost — each null when the question did not give what it needs. <see cref="Limitation"/> says why a
/// target cannot be met at all (the model does not fit on the device).
/// </summary>
public sealed record CapacityAnswer(int InstancesPerDevice, double? QpsPerDevice, int? DevicesNeeded, decimal? MonthlyCost, string? Limitation);

/// <summary>
/// Capacity maths: instances = ⌊device memory / model memory⌋; QPS per device = instances × QPS per instance;
/// devices = ⌈target QPS / QPS per device⌉; monthly cost = devices × cost per device.
/// </summary>
public static class CapacityPlanner
{
    /// <summary>A bound that no real target reaches; larger numbers are typing errors.</summary>
    public const double MaxQps = 1e9;

    /// <exception cref="ArgumentOutOfRangeException">A value is not a positive finite number (cost: not negative), named by its parameter.</exception>
    public static CapacityAnswer Plan(CapacityQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var instances = DeviceFit.InstancesPerDevice(question.DeviceMemoryGb, question.ModelMemoryGb);
        RequirePositive(question.QpsPerInstance, "qpsPerInstance");
        RequirePositive(question.TargetQps, "targetQps");
        if (question.CostPerDeviceMonth is < 0)
        {
            throw new ArgumentOutOfRangeException("costPerDeviceMonth", question.CostPerDeviceMonth, "The cost per device and month must not be negative.");
        }

        var qpsPerDevice = question.QpsPerInstance * instances;
        if (question.TargetQps is not { } target)
        {
            return new CapacityAnswer(instances, qpsPerDevice, null, null, null);
        }

        if (instances == 0)
        {
            return new CapacityAnswer(0, qpsPerDevice, null, null,
                $"A {question.ModelMemoryGb:0.###} GB model does not fit in {question.DeviceMemoryGb:0.###} GB: no number of these devices serves it.");
        }

        if (qpsPerDevice is not { } perDevice)
        {
            return new CapacityAnswer(instances, null, null, null, null);
        }

        // A hair below the next whole number is floating-point noise (900 / 300), not a need for one more device.
        var devices = (int)Math.Min(int.MaxValue, Math.Ceiling((target / perDevice) - 1e-9));
        return new CapacityAnswer(instances, perDevice, devices, question.CostPerDeviceMonth * devices, null);
    }

    private static void RequirePositive(double? value, string name)
    {
        if (value is { } v && (!double.IsFinite(v) || v <= 0 || v > MaxQps))
        {
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be a positive number of requests per second (at most {MaxQps:0e0}).");
        }
    }
}
