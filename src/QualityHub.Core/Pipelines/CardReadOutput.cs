using System.Text.Json;
using QualityHub.Core.Metrics;

namespace QualityHub.Core.Pipelines;

/// <summary>A region the detector found, as stored: its corners (x1, y1, … x4, y4), the detector's score, and what the recogniser read in it.</summary>
public sealed record StoredRegion(float[] Points, double Score, string Text, double Confidence)
{
    public Quad Quad => Quad.Of(Points);
}

/// <summary>Where one photo's time went, stage by stage, in milliseconds (decoding the stored photo included).</summary>
public sealed record StageMilliseconds(double DecodeMs, double DetectMs, double RectifyMs, double RecogniseMs, double ParseMs)
{
    public double TotalMs => DecodeMs + DetectMs + RectifyMs + RecogniseMs + ParseMs;
}

/// <summary>
/// What a card-reader pipeline made of one photo, as a run stores it with the prediction: the fields, every region
/// with its text (at most <see cref="PipelineMetrics.MaxRegions"/>, the highest-scoring; <see cref="RegionsFound"/>
/// counts all the detector returned), each stage's time, what the recogniser read alone on the photo's true
/// number and expiry lines (null where the photo has none), and the fields as read (<see cref="CardFields.NumberRead"/>;
/// null in outputs stored before they were kept).
/// </summary>
public sealed record CardReadOutput(
    string Number,
    bool NumberPassesLuhn,
    string Expiry,
    IReadOnlyList<StoredRegion> Regions,
    int RegionsFound,
    StageMilliseconds Times,
    string? AloneNumber,
    string? AloneExpiry,
    string? NumberRead = null,
    string? ExpiryRead = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public CardFields Fields => new(Number, NumberPassesLuhn, Expiry, NumberRead, ExpiryRead);

    /// <summary>The prediction's output as people read it: the number and the expiry (<see cref="CardPhotoJson.Summary"/>).</summary>
    public string Summary => CardPhotoJson.Summary(Number, Expiry);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CardReadOutput Parse(string json) =>
        JsonSerializer.Deserialize<CardReadOutput>(json, Json) ?? throw new FormatException("Not a card reader's stored output.");
}
