using Plotly.Blazor.Traces;
using QualityHub.Web.Components.Shared;
using static QualityHub.Web.Components.Shared.Figure;
using PlotLayout = Plotly.Blazor.Layout;

namespace QualityHub.Web.Features.Labeling;

/// <summary>The curator's charts: what each vendor cost and how well their labels matched the hidden gold answers.</summary>
public static class LabelingCharts
{
    /// <summary>Spend per vendor (items × unit price over their jobs not cancelled), one bar per vendor and currency.</summary>
    public static PlotFigure Spend(IReadOnlyList<VendorFigures> vendors) => new(
        [
            new Bar
            {
                Name = "spend",
                X = Values(vendors.Select(Name)),
                Y = Values(vendors.Select(v => (double)v.Spend)),
                CustomData = Values(vendors.Select(v => $"{v.Items:N0} items in {v.Jobs} job(s)")),
                HoverTemplate = "%{x}: %{y:,.2f} (%{customdata})<extra></extra>",
            },
        ],
        new PlotLayout { Margin = Margins(60, 20, 20, 60), XAxis = [XAxis()], YAxis = [YAxis("spend")] });

    /// <summary>Accuracy on the gold items per vendor; vendors without a delivery on gold are left out.</summary>
    public static PlotFigure GoldAccuracy(IReadOnlyList<VendorFigures> vendors)
    {
        var measured = vendors.Where(v => v.GoldAccuracy is not null).ToList();
        var y = YAxis("accuracy on gold", ".0%");
        y.Range = [0.0, 1.0];
        return new PlotFigure(
            [
                new Bar
                {
                    Name = "gold accuracy",
                    X = Values(measured.Select(Name)),
                    Y = Values(measured.Select(v => v.GoldAccuracy!.Value)),
                    HoverTemplate = "%{x}: %{y:.1%} of gold items right<extra></extra>",
                },
            ],
            new PlotLayout { Margin = Margins(60, 20, 20, 60), XAxis = [XAxis()], YAxis = [y] });
    }

    private static string Name(VendorFigures v) => $"{v.Vendor} ({v.Currency})";
}
