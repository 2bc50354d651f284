namespace QualityHub.Core.Drift;

/// <summary>How a continuous descriptor's values map to its fixed fine bins.</summary>
public enum DriftScaleKind
{
    /// <summary>Equal steps of the value between Min and Max.</summary>
    Linear,

    /// <summary>Equal steps of log10(value) between Min and Max (decades); values at or below 10^Min fall in bin 0.</summary>
    Log,

    /// <summary>Equal steps of sign(v) · log10(1 + |v|) between Min and Max: for values of any sign and size.</summary>
    SignedLog,
}

/// <summary>
/// A fixed binning of one continuous descriptor, the same for every reference profile and every online hour, so
/// windows and references are summed and compared bin by bin without the raw values. Values outside the range fall
/// in the first or last bin.
/// </summary>
public sealed record DriftScale(DriftScaleKind Kind, double Min, double Max, int Bins)
{
    /// <summary>The value on the axis the bins split evenly (the value itself, its log10, or its signed log).</summary>
    public double Transform(double value) => Kind switch
    {
        DriftScaleKind.Linear => value,
        DriftScaleKind.Log => value <= 0 ? double.NegativeInfinity : Math.Log10(value),
        _ => Math.Sign(value) * Math.Log10(1 + Math.Abs(value)),
    };

    /// <summary>The inverse of <see cref="Transform"/>.</summary>
    public double Untransform(double axis) => Kind switch
    {
        DriftScaleKind.Linear => axis,
        DriftScaleKind.Log => Math.Pow(10, axis),
        _ => Math.Sign(axis) * (Math.Pow(10, Math.Abs(axis)) - 1),
    };

    /// <summary>The fine bin of a finite value, 0 … Bins − 1.</summary>
    public int BinOf(double value)
    {
        var axis = Transform(value);
        var bin = (int)Math.Floor((axis - Min) / (Max - Min) * Bins);
        return Math.Clamp(bin, 0, Bins - 1);
    }

    /// <summary>The bin's lower edge as a value (for axis labels); bin 0 starts at the range's minimum.</summary>
    public double LowerEdge(int bin) => Untransform(Min + ((Max - Min) * bin / Bins));

    /// <summary>The bin's middle on the transformed axis: the value every member of the bin stands for in the KS test.</summary>
    public double AxisCentre(int bin) => Min + ((Max - Min) * (bin + 0.5) / Bins);
}
