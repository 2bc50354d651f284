using System.Diagnostics;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tasks;

/// <summary>The answer of a model to one image, decoded for its task, with where the time went.</summary>
public sealed record TaskResult(
    ModelTask Task, IReadOnlyList<ClassScore> TopK, DecodedText? Text, InferenceTiming Timing, ExecutionProvider Provider, IReadOnlyList<float>? Probabilities = null)
{
    /// <summary>The predicted class label or the decoded text.</summary>
    public string Output => Task == ModelTask.TextRecognition ? Text!.Text : TopK.Count > 0 ? TopK[0].Label : "";

    /// <summary>The top class's probability, or the least confident character's.</summary>
    public float Confidence => Task == ModelTask.TextRecognition ? Text!.MinConfidence : TopK.Count > 0 ? TopK[0].Probability : 0f;
}

/// <summary>
/// Runs a model on an image the way its card says: pre-processing (channels, bilinear resize, normalisation into
/// the model's layout), the engine (queue, micro-batch, compute), post-processing (softmax and top-k, or CTC
/// decoding). Each stage is timed.
/// </summary>
public sealed class ModelTaskRunner(InferenceEngine engine)
{
    public async Task<TaskResult> RunAsync(ModelSpec model, ModelCard card, Image image, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var (item, itemShape) = Prepare(card.Input, image);
        var preprocessMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var result = await engine.InferAsync(model, item, itemShape, preprocessMs, cancellationToken);

        var decodeStarted = Stopwatch.GetTimestamp();
        var output = card.OutputName is null ? result.Outputs[0] : result.Outputs.FirstOrDefault(o => o.Name == card.OutputName)
            ?? throw new InvalidModelCardException($"The card reads output '{card.OutputName}', but model '{model.DisplayName}' has {string.Join(", ", result.Outputs.Select(o => o.Name))}.");
        TaskResult decoded = card.Task switch
        {
            ModelTask.ImageClassification => Classify(card, output, result.Timing, result.Provider),
            _ => new TaskResult(card.Task, [], DecodeText(card, output), result.Timing, result.Provider),
        };
        var postprocessMs = result.Timing.PostprocessMs + Stopwatch.GetElapsedTime(decodeStarted).TotalMilliseconds;
        return decoded with { Timing = result.Timing with { PostprocessMs = postprocessMs } };
    }

    // The tensor format of a card's input, built once per card rather than per image (an evaluation prepares thousands).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ImageInput, ImageTensorFormat> Formats = new();

    /// <summary>The model input for one image: gray or RGB, resized, normalised, in the card's layout.</summary>
    public static (float[] Item, long[] ItemShape) Prepare(ImageInput input, Image image)
    {
        var converted = input.Channels == 1 ? (image.Channels == 1 ? image : image.ToGray()) : (image.Channels == 3 ? image : image.ToRgb());
        var width = input.Width > 0
            ? input.Width
            : Math.Clamp((int)Math.Round(image.Width * (double)input.Height / image.Height), 1, input.MaxWidth);
        var resized = converted.Width == width && converted.Height == input.Height ? converted : converted.Resize(width, input.Height);
        var format = Formats.GetValue(input, static i => new ImageTensorFormat(
            i.Layout, i.Channels, Enumerable.Repeat(i.Scale, i.Channels).ToArray(), Expand(i.Mean, i.Channels), Expand(i.Std, i.Channels)));
        var item = new float[format.ElementCount(width, input.Height)];
        format.Write(resized, item);
        long[] shape = input.Layout == TensorLayout.Nchw ? [input.Channels, input.Height, width] : [input.Height, width, input.Channels];
        return (item, shape);
    }

    private static float[] Expand(IReadOnlyList<float> values, int channels) =>
        values.Count == channels ? values.ToArray() : Enumerable.Repeat(values[0], channels).ToArray();

    private static TaskResult Classify(ModelCard card, ItemOutput output, InferenceTiming timing, ExecutionProvider provider)
    {
        var probabilities = card.OutputKind == OutputKind.Logits ? Classification.Softmax(output.Data) : output.Data;
        return new TaskResult(card.Task, Classification.TopK(probabilities, card.Labels, card.TopK), null, timing, provider, probabilities);
    }

    private static DecodedText DecodeText(ModelCard card, ItemOutput output)
    {
        // [time, classes] per item; a time-major model's item slice is [1, classes] per step after the batch split.
        var classes = (int)output.Shape[^1];
        return CtcDecoding.Greedy(output.Data, classes, card.Ctc!, card.OutputKind == OutputKind.Probabilities);
    }
}
