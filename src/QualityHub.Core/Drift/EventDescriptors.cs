using QualityHub.Core.Domain;

namespace QualityHub.Core.Drift;

/// <summary>What one event (online) or one sample and its prediction (a reference run) says about input and output, each when known.</summary>
public sealed record EventDescriptors(
    double? Confidence = null, string? TopKJson = null, int? InputWidth = null, int? InputHeight = null,
    double? Brightness = null, double? Contrast = null, double? Blur = null, IReadOnlyList<double>? Features = null)
{
    public static EventDescriptors None { get; } = new();

    /// <summary>
    /// The bin keys of every descriptor this event has, for a module of <paramref name="task"/> that answered
    /// <paramref name="predicted"/>: the inputs' fine bins, the confidence's, and the output's — the predicted label for
    /// classifiers, the text's length and its characters' classes for recognisers. One rule for online hours and
    /// reference profiles, so both are binned alike.
    /// </summary>
    public IEnumerable<(DriftDescriptor Descriptor, IReadOnlyList<string> Keys)> Keys(TaskType task, string? predicted)
    {
        (DriftDescriptor, IReadOnlyList<string>) Continuous(DriftDescriptor d, double value) => (d, [DriftHistogram.KeyOf(d.Scale!.BinOf(value))]);

        if (InputWidth is { } width)
        {
            yield return Continuous(DriftDescriptors.InputWidth, width);
        }

        if (InputHeight is { } height)
        {
            yield return Continuous(DriftDescriptors.InputHeight, height);
        }

        if (Brightness is { } brightness)
        {
            yield return Continuous(DriftDescriptors.Brightness, brightness);
        }

        if (Contrast is { } contrast)
        {
            yield return Continuous(DriftDescriptors.Contrast, contrast);
        }

        if (Blur is { } blur)
        {
            yield return Continuous(DriftDescriptors.Blur, blur);
        }

        for (var i = 0; i < (Features?.Count ?? 0); i++)
        {
            yield return Continuous(DriftDescriptors.Feature(i), Features![i]);
        }

        if (Confidence is { } confidence)
        {
            yield return Continuous(DriftDescriptors.Confidence, confidence);
        }

        if (predicted is null)
        {
            yield break;
        }

        if (task == TaskType.ImageClassification)
        {
            yield return (DriftDescriptors.Label, [predicted.Length is 0 or > DriftDescriptors.MaxLabelLength ? DriftDescriptors.OtherLabel : predicted]);
        }
        else if (task == TaskType.TextRecognition)
        {
            yield return Continuous(DriftDescriptors.TextLength, predicted.Length);
            yield return (DriftDescriptors.CharacterClass, predicted.Select(DriftDescriptors.CharacterClassOf).ToList());
        }
    }
}
