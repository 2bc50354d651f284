namespace QualityHub.Core.Domain;

/// <summary>One input of a dataset with its ground truth and tags (kinds such as printed, rotated, shadow).</summary>
public sealed class Sample
{
    public long Id { get; set; }
    public int DatasetId { get; set; }
    public Dataset? Dataset { get; set; }

    /// <summary>Position of the sample in its dataset, stable across imports.</summary>
    public int Ordinal { get; set; }

    /// <summary>SHA-256 of the image bytes: the key of the image in the blob store.</summary>
    public required string ImageSha256 { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }

    /// <summary>Class label or expected text.</summary>
    public required string GroundTruth { get; set; }
    public List<string> Tags { get; set; } = [];
}
