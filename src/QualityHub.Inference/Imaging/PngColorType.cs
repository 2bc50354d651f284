namespace QualityHub.Inference.Imaging;

/// <summary>PNG colour types as IHDR stores them.</summary>
internal enum PngColorType
{
    Gray = 0,
    Rgb = 2,
    Palette = 3,
    GrayAlpha = 4,
    Rgba = 6,
}
