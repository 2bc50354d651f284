namespace QualityHub.Core.Capacity;

/// <summary>
/// A capacity question: a device, a model, and optionally its throughput, the target, the price of a device, what one
/// device can compute at most (its measured saturated throughput: more instances than that keeps busy add memory use,
/// not requests per second) and the monthly budget.
/// </summary>
public sealed record CapacityQuestion(
    double DeviceMemoryGb, double ModelMemoryGb, double? QpsPerInstance = null, double? TargetQps = null, decimal? CostPerDeviceMonth = null,
    double? DeviceQpsCeiling = null, decimal? BudgetPerMonth = null);

/// <summary>
/// The answer: instances per device (step-wise), requests per second one device serves, devices for the target and
/// their monthly cost — each null when the question did not give what it needs. <see cref="Limitation"/> says why a
/// target cannot be met at all (the model does not fit on the device). With a ceiling: <see cref="UsefulInstances"/>
/// is how many of the instances that fit add throughput, <see cref="ComputeBound"/> whether the ceiling, not memory,
/// sets the device's QPS. <see cref="WithinBudget"/> compares the monthly cost with the budget, when both are known.
/// </summary>
public sealed record CapacityAnswer(
    int InstancesPerDevice, double? QpsPerDevice, int? DevicesNeeded, decimal? MonthlyCost, string? Limitation,
    int? UsefulInstances = null, bool ComputeBound = false, bool? WithinBudget = null);

/// <summary>
/// Capacity maths: instances = ⌊device memory / model memory⌋; QPS per device = instances × QPS per instance, at most
/// the device's ceiling; devices = ⌈target QPS / QPS per device⌉; monthly cost = devices × cost per device.
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
        RequirePositive(question.DeviceQpsCeiling, "deviceQpsCeiling");
        if (question.CostPerDeviceMonth is < 0)
        {
            throw new ArgumentOutOfRangeException("costPerDeviceMonth", question.CostPerDeviceMonth, "The cost per device and month must not be negative.");
        }

        if (question.BudgetPerMonth is < 0)
        {
            throw new ArgumentOutOfRangeException("budgetPerMonth", question.BudgetPerMonth, "The budget per month must not be negative.");
        }

        var qpsPerDevice = question.QpsPerInstance * instances;
        int? useful = null;
        var computeBound = false;
        if (question.DeviceQpsCeiling is { } ceiling && question.QpsPerInstance is { } perInstance && instances > 0)
        {
            // Instances beyond what keeps the device busy wait for compute: they take memory, not load.
            useful = (int)Math.Min(instances, Math.Ceiling((ceiling / perInstance) - 1e-9));
            computeBound = qpsPerDevice > ceiling;
            qpsPerDevice = Math.Min(qpsPerDevice!.Value, Math.Max(ceiling, perInstance));
        }

        if (question.TargetQps is not { } target)
        {
            return new CapacityAnswer(instances, qpsPerDevice, null, null, null, useful, computeBound);
        }

        if (instances == 0)
        {
            return new CapacityAnswer(0, qpsPerDevice, null, null,
                $"A {question.ModelMemoryGb:0.###} GB model does not fit in {question.DeviceMemoryGb:0.###} GB: no number of these devices serves it.");
        }

        if (qpsPerDevice is not { } perDevice)
        {
            return new CapacityAnswer(instances, null, null, null, null, useful, computeBound);
        }

        // A hair below the next whole number is floating-point noise (900 / 300), not a need for one more device.
        var devices = (int)Math.Min(int.MaxValue, Math.Ceiling((target / perDevice) - 1e-9));
        var cost = question.CostPerDeviceMonth * devices;
        return new CapacityAnswer(instances, perDevice, devices, cost, null, useful, computeBound,
            cost is { } c && question.BudgetPerMonth is { } budget ? c <= budget : null);
    }

    private static void RequirePositive(double? value, string name)
    {
        if (value is { } v && (!double.IsFinite(v) || v <= 0 || v > MaxQps))
        {
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be a positive number of requests per second (at most {MaxQps:0e0}).");
        }
    }
}
