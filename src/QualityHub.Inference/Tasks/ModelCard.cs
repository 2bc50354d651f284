using System.Text.Json;
using System.Text.Json.Serialization;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tasks;

/// <summary>
/// How to use a model for its task: what its input image must look like and how to read its output. Kept as JSON
/// beside the model (<c>model.onnx</c> → <c>model.card.json</c>); the engine proposes one from the model's metadata.
/// </summary>
public sealed record ModelCard
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public required ModelTask Task { get; init; }

    public required ImageInput Input { get; init; }

    /// <summary>The output to read; null means the model's first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>Whether the output holds raw scores (softmax is applied) or probabilities already.</summary>
    public OutputKind OutputKind { get; init; } = OutputKind.Logits;

    /// <summary>Class names in output order (classification).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    public int TopK { get; init; } = 5;

    /// <summary>CTC decoding settings (text recognition).</summary>
    public CtcSettings? Ctc { get; init; }

    /// <summary>How the probability map becomes boxes, and the input's size limit (text detection); PaddleOCR's defaults when absent.</summary>
    public DbSettings? Detection { get; init; }

    /// <summary>Where the card came from and anything a person should check before confirming it.</summary>
    public string? Notes { get; init; }

    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, ".card.json");

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a card file, resolving a charset file named in it relative to the card's folder.</summary>
    public static ModelCard Load(string cardPath)
    {
        var card = Parse(File.ReadAllText(cardPath), Path.GetDirectoryName(Path.GetFullPath(cardPath))!);
        return card;
    }

    /// <summary>Reads and checks a card; the error says which field is wrong.</summary>
    public static ModelCard Parse(string json, string? folder = null)
    {
        ModelCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidModelCardException($"The model card is not valid JSON for a card: {e.Message}", e);
        }

        if (card is null)
        {
            throw new InvalidModelCardException("The model card is empty.");
        }

        if (card.Ctc is { Charset.Count: 0, CharsetFile: { } file })
        {
            card = card with { Ctc = card.Ctc with { Charset = ReadCharset(folder is null ? file : Path.Combine(folder, file), card.Ctc.AppendSpace) } };
        }

        card.Check();
        return card;
    }

    private static List<string> ReadCharset(string path, bool appendSpace)
    {
        if (!File.Exists(path))
        {
            throw new InvalidModelCardException($"ctc.charsetFile {path} does not exist.");
        }

        var characters = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
        if (appendSpace)
        {
            characters.Add(" ");
        }

        return characters;
    }

    /// <summary>Throws <see cref="InvalidModelCardException"/> naming the first field that cannot work.</summary>
    public void Check()
    {
        if (Task == ModelTask.TextDetection)
        {
            // The image's own size, limited and rounded to multiples of 32, is the input's: the card fixes none.
            if (Input.Width != 0 || Input.Height != 0)
            {
                throw new InvalidModelCardException($"A text-detection card takes its input size from each image (detection.limitSide); input.width and input.height must be 0, not {Input.Width} and {Input.Height}.");
            }

            Input.Check(anySize: true);
            (Detection ?? new DbSettings()).Check();
        }
        else
        {
            Input.Check();
        }

        if (TopK < 1)
        {
            throw new InvalidModelCardException($"topK must be at least 1, not {TopK}.");
        }

        if (Task == ModelTask.TextRecognition)
        {
            if (Ctc is null || Ctc.Charset.Count == 0)
            {
                throw new InvalidModelCardException("A text-recognition card needs ctc.charset: the characters of the output classes other than the blank.");
            }

            if (Ctc.BlankIndex < 0 || Ctc.BlankIndex > Ctc.Charset.Count)
            {
                throw new InvalidModelCardException($"ctc.blankIndex {Ctc.BlankIndex} is outside the {Ctc.Charset.Count + 1} output classes.");
            }
        }
    }
}

/// <summary>What a model does.</summary>
public enum ModelTask
{
    ImageClassification,
    TextRecognition,

    /// <summary>Text regions in a photo, as boxes (a pipeline's first stage).</summary>
    TextDetection,
}

/// <summary>Raw scores or probabilities.</summary>
public enum OutputKind
{
    Logits,
    Probabilities,
}

/// <summary>
/// The model's image input: layout, size and channels, and the normalisation value = (pixel · scale − mean) / std
/// per channel. Width 0 means "any width" (text lines are resized to the height, keeping their aspect ratio).
/// </summary>
public sealed record ImageInput
{
    public string? Name { get; init; }

    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>1 (gray) or 3 (RGB).</summary>
    public int Channels { get; init; } = 1;

    public float Scale { get; init; } = 1f / 255f;

    public IReadOnlyList<float> Mean { get; init; } = [0f];

    public IReadOnlyList<float> Std { get; init; } = [1f];

    /// <summary>Largest width a variable-width input is resized to (text recognition).</summary>
    public int MaxWidth { get; init; } = 1024;

    /// <summary>
    /// A variable-width input narrower than this is padded on the right to it with zeros (after normalisation), as
    /// PaddleOCR's recogniser pads lines to 320; 0 (the default) pads nothing.
    /// </summary>
    public int PadToWidth { get; init; }

    /// <summary>Colour channels in blue, green, red order (OpenCV's, as PaddleOCR feeds them) instead of red, green, blue.</summary>
    public bool Bgr { get; init; }

    public void Check(bool anySize = false)
    {
        if (Channels is not (1 or 3))
        {
            throw new InvalidModelCardException($"input.channels must be 1 or 3, not {Channels}.");
        }

        if (PadToWidth < 0 || PadToWidth > 8192 || (PadToWidth > 0 && Width > 0))
        {
            throw new InvalidModelCardException($"input.padToWidth pads a variable-width input (width 0) to 1–8192 columns; it is {PadToWidth} with width {Width}.");
        }

        if (!anySize && (Height < 1 || Width < 0 || Height > 8192 || Width > 8192))
        {
            throw new InvalidModelCardException($"input.width × input.height of {Width} × {Height} is not a usable image size.");
        }

        if (Mean.Count is not 1 && Mean.Count != Channels || Std.Count is not 1 && Std.Count != Channels)
        {
            throw new InvalidModelCardException($"input.mean and input.std need 1 or {Channels} values.");
        }

        if (Std.Any(s => s == 0 || !float.IsFinite(s)) || Mean.Any(m => !float.IsFinite(m)) || !float.IsFinite(Scale))
        {
            throw new InvalidModelCardException("input.std must be non-zero and input.mean, input.std and input.scale finite.");
        }
    }
}

/// <summary>
/// CTC greedy decoding of a [batch, time, classes] output: which class is the blank, and the characters of the
/// other classes in order.
/// </summary>
public sealed record CtcSettings
{
    public int BlankIndex { get; init; }

    /// <summary>One entry per non-blank class, in class order (an entry may be more than one UTF-16 unit, e.g. an emoji).</summary>
    public IReadOnlyList<string> Charset { get; init; } = [];

    /// <summary>A charset file (one character per line, UTF-8) beside the card, used when <see cref="Charset"/> is empty.</summary>
    public string? CharsetFile { get; init; }

    /// <summary>Adds a space as the last character, as PP-OCR models expect after their key file.</summary>
    public bool AppendSpace { get; init; }
}

/// <summary>A model card that cannot be used; the message names the field.</summary>
public sealed class InvalidModelCardException(string message, Exception? inner = null) : Exception(message, inner);
