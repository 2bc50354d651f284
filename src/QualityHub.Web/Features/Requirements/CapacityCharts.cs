using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;
using QualityHub.Core.Capacity;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Requirements;

/// <summary>The capacity planner's what-if: devices needed as the model's memory grows, on this device and on one twice its size.</summary>
public static class CapacityCharts
{
    public static PlotFigure WhatIf(CapacityQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var (deviceMemoryGb, modelMemoryGb) = (question.DeviceMemoryGb, question.ModelMemoryGb);
        var sizes = Enumerable.Range(1, 40).Select(i => modelMemoryGb * i / 20.0).ToList();
        ITrace Series(double device, string name) => new Scatter
        {
            Mode = ModeFlag.Lines,
            Line = new Plotly.Blazor.Traces.ScatterLib.Line { Shape = Plotly.Blazor.Traces.ScatterLib.LineLib.ShapeEnum.Hv },
            Name = name,
            X = Values(sizes),
            Y = sizes.Select(s => (object?)CapacityPlanner.Plan(question with { DeviceMemoryGb = device, ModelMemoryGb = s }).DevicesNeeded).ToList(),
            HoverTemplate = "model %{x:.2f} GB → %{y} device(s)<extra>" + name + "</extra>",
        };
        var y = YAxis("devices for the target");
        y.RangeMode = Plotly.Blazor.LayoutLib.YAxisLib.RangeModeEnum.ToZero;
        return new PlotFigure(
            [Series(deviceMemoryGb, $"{deviceMemoryGb:0.##} GB device"), Series(deviceMemoryGb * 2, $"{deviceMemoryGb * 2:0.##} GB device")],
            new PlotLayout
            {
                Margin = Margins(50, 10, 40, 45),
                XAxis = [XAxis("model memory (GB)")],
                YAxis = [y],
                Shapes =
                [
                    new Shape
                    {
                        Type = Plotly.Blazor.LayoutLib.ShapeLib.TypeEnum.Line,
                        X0 = modelMemoryGb,
                        X1 = modelMemoryGb,
                        YRef = "paper",
                        Y0 = 0,
                        Y1 = 1,
                        Line = new Plotly.Blazor.LayoutLib.ShapeLib.Line { Dash = "dot", Color = "#888" },
                    },
                ],
                Legend = LegendAbove(),
            });
    }
}
