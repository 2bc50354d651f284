using System.Text.Json;
using System.Text.Json.Serialization;

namespace QualityHub.Web.Components.Shared;

/// <summary>
/// A Plotly figure: traces and layout exactly as plotly.js names them (https://plotly.com/javascript/reference/),
/// written as C# records or anonymous objects. Null members are left out, so Plotly's defaults apply.
/// </summary>
public sealed record PlotFigure(IReadOnlyList<object> Data, object? Layout = null, object? Config = null)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The figure as plotly.js reads it: { data, layout, config }.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>A bar trace (https://plotly.com/javascript/reference/bar/).</summary>
public sealed record BarTrace(IReadOnlyList<string> X, IReadOnlyList<double> Y)
{
    public string Type => "bar";
    public string? Name { get; init; }
    public IReadOnlyList<string>? Text { get; init; }
    public string? TextPosition { get; init; }
    public object? Marker { get; init; }
    public string? HoverTemplate { get; init; }
}
