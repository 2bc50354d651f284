namespace QualityHub.Web.Features.Compare;

/// <summary>Limits of the Compare page and POST /api/compare (configuration section "Compare").</summary>
public sealed class CompareOptions
{
    public const string SectionName = "Compare";

    public const int MaxCandidates = 4;

    /// <summary>Largest image file accepted as an input, in MiB.</summary>
    public int MaxImageMb { get; set; } = 20;

    /// <summary>Largest decoded input, in pixels (a small file can declare a huge image).</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Most samples one batch run takes.</summary>
    public int MaxBatchSamples { get; set; } = 500;

    /// <summary>Samples a batch run keeps in flight at once, so the engine can batch them.</summary>
    public int BatchParallelism { get; set; } = 8;

    /// <summary>Random samples tried when looking for one where the candidates disagree.</summary>
    public int DisagreementSearchLimit { get; set; } = 200;

    public long MaxImageBytes => MaxImageMb * 1024L * 1024L;
}
