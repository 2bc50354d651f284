using Microsoft.AspNetCore.Components;
using QualityHub.Core.Capacity;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Requirements;

/// <summary>
/// The capacity planner: starts from a candidate's measurements (session memory, QPS per instance, the device's
/// ceiling and memory) and its module's requirement (target QPS, stated GPU, budget); every value can be changed, and a
/// value beyond what was measured is said to be a what-if. Below, three what-ifs side by side.
/// </summary>
public sealed partial class CapacityPlannerPanel
{
    /// <summary>The module's versions with what was measured of each, measured ones first.</summary>
    [Parameter] public IReadOnlyList<CapacityStart> Starts { get; set; } = [];

    private CapacityStart? start;
    private double deviceMemoryGb;
    private double modelMemoryGb;
    private double? qpsPerInstance;
    private double? deviceQpsCeiling;
    private double? targetQps;
    private decimal? costPerDevice;
    private decimal? budget;
    private string? appliedFrom;

    private CapacityQuestion Question => new(deviceMemoryGb, modelMemoryGb, qpsPerInstance, targetQps, costPerDevice, deviceQpsCeiling, budget);

    // A new set of starts (another module, a new measurement) starts over; what the planner typed otherwise stays.
    protected override void OnParametersSet()
    {
        var from = string.Join("|", Starts.Select(s => $"{s.ModelVersionId}:{s.RunId}:{s.TargetQps}:{s.RequiredDeviceMemoryGb}:{s.BudgetPerMonth}"));
        if (from != appliedFrom)
        {
            appliedFrom = from;
            StartFrom(Starts.FirstOrDefault());
        }
    }

    private void StartFrom(CapacityStart? chosen)
    {
        start = chosen;
        var measured = chosen?.Measured;
        deviceMemoryGb = chosen?.DeviceMemoryGb ?? 16;
        modelMemoryGb = measured?.SessionMemoryGb ?? 1;
        qpsPerInstance = measured?.QpsPerInstance;
        deviceQpsCeiling = measured?.DeviceQpsCeiling;
        targetQps = chosen?.TargetQps;
        budget = chosen?.BudgetPerMonth;
    }

    private void Choose(int versionId) => StartFrom(Starts.FirstOrDefault(s => s.ModelVersionId == versionId));

    private static (CapacityAnswer? Answer, string? Error) Answer(CapacityQuestion question)
    {
        try
        {
            return (CapacityPlanner.Plan(question), null);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return (null, e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>The what-ifs the course asks about: a smaller model, a faster model, a bigger device.</summary>
    private IReadOnlyList<(string Name, CapacityQuestion Question)> WhatIfs()
    {
        var asked = Question;
        return
        [
            ("As entered", asked),
            ("Half the memory (a smaller model)", asked with { ModelMemoryGb = asked.ModelMemoryGb / 2 }),
            ("Twice as fast (a faster model)", asked with { QpsPerInstance = asked.QpsPerInstance * 2, DeviceQpsCeiling = asked.DeviceQpsCeiling * 2 }),
            ("A device with twice the memory", asked with { DeviceMemoryGb = asked.DeviceMemoryGb * 2 }),
        ];
    }

    // What the run measured, in one sentence.
    private static string Caption(CapacityStart from, CapacityMeasurement m)
    {
        var parts = new List<string>
        {
            m.SessionMemoryGb is { } memory ? $"a session takes {Gb(memory)} ({m.MemorySource})" : "session memory not measured",
        };
        if (m.QpsPerInstance is { } qps)
        {
            parts.Add($"one instance serves {qps:N0} QPS one input at a time");
        }

        if (m.DeviceQpsCeiling is { } ceiling)
        {
            parts.Add($"the device computed {ceiling:N0} QPS with batching");
        }

        if (m.Device is { } device)
        {
            parts.Add($"device: {device}, {Gb(m.DeviceMemoryGb!.Value)}");
        }

        return $"Measured in run #{m.RunId} on {from.Dataset}: {string.Join("; ", parts)}." +
            (from.RequiredDeviceMemoryGb is { } gpu ? $" The requirement states a {gpu:0.##} GB GPU." : "");
    }

    private static string Gb(double value) => value < 0.1 ? $"{value * 1024:0.#} MiB" : $"{value:0.##} GB";

    // The chart: devices needed as the model's memory changes, on this device and on one twice its size.
    private PlotFigure WhatIf() => CapacityCharts.WhatIf(Question);
}
