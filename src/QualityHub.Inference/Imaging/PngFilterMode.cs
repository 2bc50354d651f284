namespace QualityHub.Inference.Imaging;

/// <summary>Which scanline filter <see cref="PngEncoder"/> uses: one type for every row, or the best per row.</summary>
public enum PngFilterMode
{
    None = 0,
    Sub = 1,
    Up = 2,
    Average = 3,
    Paeth = 4,

    /// <summary>Per row, the filter whose output has the smallest sum of absolute values (bytes read as signed): the PNG specification's suggested heuristic.</summary>
    Adaptive = 5,
}
