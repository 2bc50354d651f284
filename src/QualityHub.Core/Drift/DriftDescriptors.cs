namespace QualityHub.Core.Drift;

/// <summary>Whether a descriptor's distribution is binned on a scale (continuous) or counted per value (categorical).</summary>
public enum DriftDescriptorKind
{
    Continuous,
    Categorical,
}

/// <summary>What a descriptor describes: the input the model saw, or what the model answered.</summary>
public enum DriftSide
{
    Input,
    Output,
}

/// <summary>
/// One thing drift is measured on: an input descriptor (size, brightness, contrast, blur, a service's feature) or an
/// output one (confidence, predicted label, text length, character classes).
/// </summary>
public sealed record DriftDescriptor(string Name, string Title, DriftDescriptorKind Kind, DriftSide Side, DriftScale? Scale, string Unit = "")
{
    public bool IsContinuous => Kind == DriftDescriptorKind.Continuous;
}

/// <summary>The descriptors QualityHub knows, with their fixed scales and the bounds events are checked against.</summary>
public static class DriftDescriptors
{
    public const int MaxFeatures = 32;

    /// <summary>A feature's absolute value above this is refused: it is a unit mistake or an overflow, not a measurement.</summary>
    public const double MaxFeatureMagnitude = 1e9;

    public const int MaxInputSide = 100_000;

    /// <summary>Brightness is mean luma on 0–1; contrast its standard deviation, at most 0.5; blur the Laplacian's variance, at most 16.</summary>
    public const double MaxContrast = 0.5;
    public const double MaxBlur = 16;

    /// <summary>Predicted labels kept apart per hour and module; the rest are counted as <see cref="OtherLabel"/>.</summary>
    public const int MaxLabels = 64;
    public const int MaxLabelLength = 100;
    public const string OtherLabel = "(other)";

    public static readonly DriftDescriptor Confidence = new("confidence", "Confidence", DriftDescriptorKind.Continuous, DriftSide.Output, new(DriftScaleKind.Linear, 0, 1, 100));
    public static readonly DriftDescriptor Label = new("label", "Predicted label", DriftDescriptorKind.Categorical, DriftSide.Output, null);
    public static readonly DriftDescriptor TextLength = new("textLength", "Text length", DriftDescriptorKind.Continuous, DriftSide.Output, new(DriftScaleKind.Linear, 0, 100, 100), "characters");
    public static readonly DriftDescriptor CharacterClass = new("charClass", "Character classes", DriftDescriptorKind.Categorical, DriftSide.Output, null);
    public static readonly DriftDescriptor InputWidth = new("inputWidth", "Input width", DriftDescriptorKind.Continuous, DriftSide.Input, new(DriftScaleKind.Log, 0, 5, 100), "px");
    public static readonly DriftDescriptor InputHeight = new("inputHeight", "Input height", DriftDescriptorKind.Continuous, DriftSide.Input, new(DriftScaleKind.Log, 0, 5, 100), "px");
    public static readonly DriftDescriptor Brightness = new("brightness", "Brightness", DriftDescriptorKind.Continuous, DriftSide.Input, new(DriftScaleKind.Linear, 0, 1, 100));
    public static readonly DriftDescriptor Contrast = new("contrast", "Contrast", DriftDescriptorKind.Continuous, DriftSide.Input, new(DriftScaleKind.Linear, 0, MaxContrast, 100));
    public static readonly DriftDescriptor Blur = new("blur", "Sharpness (Laplacian variance)", DriftDescriptorKind.Continuous, DriftSide.Input, new(DriftScaleKind.Log, -5, 1.25, 100));

    private static readonly DriftScale FeatureScale = new(DriftScaleKind.SignedLog, -10, 10, 200);

    /// <summary>Every fixed descriptor, inputs first.</summary>
    public static IReadOnlyList<DriftDescriptor> Fixed { get; } = [InputWidth, InputHeight, Brightness, Contrast, Blur, Confidence, Label, TextLength, CharacterClass];

    /// <summary>The i-th entry of a service's feature vector (0-based), e.g. <c>feature:3</c>.</summary>
    public static DriftDescriptor Feature(int index) => new($"feature:{index}", $"Feature {index}", DriftDescriptorKind.Continuous, DriftSide.Input, FeatureScale);

    /// <summary>A descriptor by its name, features included; null for a name QualityHub does not know.</summary>
    public static DriftDescriptor? Find(string name)
    {
        if (name.StartsWith("feature:", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan("feature:".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            && index < MaxFeatures)
        {
            return Feature(index);
        }

        return Fixed.FirstOrDefault(d => d.Name == name);
    }

    /// <summary>The class a character of recognised text counts in: letter, digit, space, punctuation or other.</summary>
    public static string CharacterClassOf(char c) =>
        char.IsLetter(c) ? "letter" : char.IsDigit(c) ? "digit" : char.IsWhiteSpace(c) ? "space" : char.IsPunctuation(c) || char.IsSymbol(c) ? "punctuation" : "other";
}
