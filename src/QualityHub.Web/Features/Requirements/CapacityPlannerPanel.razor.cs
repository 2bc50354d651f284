using Microsoft.AspNetCore.Components;
using QualityHub.Core.Capacity;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Requirements;

/// <summary>The capacity planner: devices and instances for a QPS target from throughput and memory, with what-ifs.</summary>
public sealed partial class CapacityPlannerPanel
{

    /// <summary>Model memory in GB to start from (e.g. a version's file size).</summary>
    [Parameter] public double? InitialModelMemoryGb { get; set; }

    /// <summary>Throughput of one instance to start from (e.g. a run's measured items/s).</summary>
    [Parameter] public double? InitialQpsPerInstance { get; set; }

    [Parameter] public double? InitialTargetQps { get; set; }

    [Parameter] public double? InitialDeviceMemoryGb { get; set; }

    /// <summary>Where the starting values were measured, said under the title.</summary>
    [Parameter] public string? MeasuredFrom { get; set; }

    private double deviceMemoryGb = 10;
    private double modelMemoryGb = 5;
    private double qpsPerInstance = 100;
    private double targetQps = 1000;
    private decimal costPerDevice = 1000;

    private string? appliedFrom;

    // Starting values are applied when they change (another module, a new measurement), not on every render of the
    // page, so what the planner typed stays.
    protected override void OnParametersSet()
    {
        var from = $"{MeasuredFrom}|{InitialModelMemoryGb}|{InitialQpsPerInstance}|{InitialTargetQps}|{InitialDeviceMemoryGb}";
        if (from == appliedFrom)
        {
            return;
        }

        appliedFrom = from;
        deviceMemoryGb = InitialDeviceMemoryGb ?? deviceMemoryGb;
        modelMemoryGb = InitialModelMemoryGb ?? modelMemoryGb;
        qpsPerInstance = InitialQpsPerInstance ?? qpsPerInstance;
        targetQps = InitialTargetQps ?? targetQps;
    }

    private (CapacityAnswer? Answer, string? Error) Answer()
    {
        try
        {
            return (CapacityPlanner.Plan(new CapacityQuestion(deviceMemoryGb, modelMemoryGb, qpsPerInstance, targetQps, costPerDevice)), null);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return (null, e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    // What-if: the same target with a smaller or larger model, on this device and on one with twice the memory.
    private PlotFigure WhatIf() => CapacityCharts.WhatIf(deviceMemoryGb, modelMemoryGb, qpsPerInstance, targetQps);
}
