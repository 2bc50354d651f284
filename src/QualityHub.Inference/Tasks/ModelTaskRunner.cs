using System.Diagnostics;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;

namespace QualityHub.Inference.Tasks;

/// <summary>The answer of a model to one image, decoded for its task, with where the time went.</summary>
public sealed record TaskResult(
    ModelTask Task, IReadOnlyList<ClassScore> TopK, DecodedText? Text, InferenceTiming Timing, ExecutionProvider Provider, IReadOnlyList<float>? Probabilities = null,
    string? RanOn = null, TextDetectionResult? Detection = null)
{
    /// <summary>The predicted class label, the decoded text, or how many text regions were found.</summary>
    public string Output => Task switch
    {
        ModelTask.TextRecognition => Text!.Text,
        ModelTask.TextDetection => Detection!.Boxes.Count == 1 ? "1 text region" : $"{Detection.Boxes.Count} text regions",
        _ => TopK.Count > 0 ? TopK[0].Label : "",
    };

    /// <summary>The top class's probability, the least confident character's, or the least confident region's score.</summary>
    public float Confidence => Task switch
    {
        ModelTask.TextRecognition => Text!.MinConfidence,
        ModelTask.TextDetection => Detection!.Boxes.Count > 0 ? Detection.Boxes.Min(b => b.Score) : 0f,
        _ => TopK.Count > 0 ? TopK[0].Probability : 0f,
    };
}

/// <summary>
/// Runs a model on an image the way its card says: pre-processing (channels, bilinear resize, normalisation into
/// the model's layout), the engine (queue, micro-batch, compute), post-processing (softmax and top-k, or CTC
/// decoding). Each stage is timed.
/// </summary>
public sealed class ModelTaskRunner(IModelExecutor engine)
{
    private readonly BatchBufferPool buffers = new();

    public async Task<TaskResult> RunAsync(ModelSpec model, ModelCard card, Image image, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var (item, itemShape) = PrepareFor(card, image);
        var preprocessMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        var result = await engine.InferAsync(model, item, itemShape, preprocessMs, cancellationToken);

        var decodeStarted = Stopwatch.GetTimestamp();
        var output = SelectOutput(model, card, result.Outputs);
        var decoded = Decode(card, output.Data, output.Shape, result.Timing, result.Provider, image);
        var postprocessMs = result.Timing.PostprocessMs + Stopwatch.GetElapsedTime(decodeStarted).TotalMilliseconds;
        return decoded with { Timing = result.Timing with { PostprocessMs = postprocessMs }, RanOn = result.RanOn };
    }

    /// <summary>
    /// Runs the model on each image alone (a batch of one), one after another, the way processing time is measured:
    /// each result's timing is that image's own pre-processing, compute and post-processing, without hand-overs between
    /// threads or the network to a worker (see <see cref="IModelExecutor.InferEachAsync"/>). Results are in the order of
    /// <paramref name="images"/>.
    /// </summary>
    public async Task<IReadOnlyList<TaskResult>> RunEachAsync(ModelSpec model, ModelCard card, IReadOnlyList<Image> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var items = new float[images.Count][];
        var shapes = new long[images.Count][];
        var preprocessMs = new double[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            (items[i], shapes[i]) = PrepareFor(card, images[i]);
            preprocessMs[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        var answers = images.Count == 0 ? [] : await engine.InferEachAsync(model, items, shapes, cancellationToken);
        var results = new TaskResult[answers.Count];
        for (var i = 0; i < answers.Count; i++)
        {
            var answer = answers[i];
            var decodeStarted = Stopwatch.GetTimestamp();
            var output = SelectOutput(model, card, answer.Outputs);
            var decoded = Decode(card, output.Data, output.Shape, answer.Timing, answer.Provider, images[i]);
            var postprocessMs = answer.Timing.PostprocessMs + Stopwatch.GetElapsedTime(decodeStarted).TotalMilliseconds;
            results[i] = decoded with { Timing = answer.Timing with { PreprocessMs = preprocessMs[i], PostprocessMs = postprocessMs }, RanOn = answer.RanOn };
        }

        return results;
    }

    /// <summary>The memory one session of the model takes once it has answered <paramref name="image"/> (see <see cref="IModelExecutor.MeasureSessionMemoryAsync"/>).</summary>
    public Task<SessionMemory> MeasureMemoryAsync(ModelSpec model, ModelCard card, Image image, CancellationToken cancellationToken = default)
    {
        var (item, itemShape) = PrepareFor(card, image);
        return engine.MeasureSessionMemoryAsync(model, item, itemShape, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Runs a model on several images. When the card fixes the input size and the model takes dynamic batches, the
    /// images are written straight into one batch tensor and sent as one request (an offline run's path: no per-item
    /// queueing or copies); otherwise each image goes through <see cref="RunAsync"/>, all at once, and the engine's
    /// batcher stacks what it can. Results are in the order of <paramref name="images"/>; the batch's preparation
    /// time is shared equally among its items.
    /// </summary>
    public async Task<IReadOnlyList<TaskResult>> RunBatchAsync(ModelSpec model, ModelCard card, IReadOnlyList<Image> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            return [];
        }

        if (images.Count == 1 || card.Input.Width <= 0 || (await engine.LoadAsync(model, cancellationToken)).BatchMode != BatchMode.Dynamic)
        {
            return await Task.WhenAll(images.Select(image => RunAsync(model, card, image, cancellationToken)));
        }

        var started = Stopwatch.GetTimestamp();
        var input = card.Input;
        var format = FormatOf(input);
        var itemLength = format.ElementCount(input.Width, input.Height);
        var batch = buffers.Rent(checked(itemLength * images.Count));
        for (var i = 0; i < images.Count; i++)
        {
            format.Write(Fit(input, images[i], input.Width), batch.AsSpan(i * itemLength, itemLength));
        }

        var preprocessMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds / images.Count;
        var result = await engine.InferBatchAsync(model, batch, images.Count, ItemShapeOf(input, input.Width), preprocessMs, cancellationToken);

        // Answered, so the engine is done with the buffer; a cancelled or failed request may still be running on it and keeps it.
        buffers.Return(batch);

        var output = SelectOutput(model, card, result.Outputs);
        var outputLength = output.Data.Length / images.Count;
        var outputShape = output.Shape[1..];
        var results = new TaskResult[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            var decodeStarted = Stopwatch.GetTimestamp();
            var decoded = Decode(card, output.Data.AsSpan(i * outputLength, outputLength), outputShape, result.Timing, result.Provider);
            var postprocessMs = result.Timing.PostprocessMs / images.Count + Stopwatch.GetElapsedTime(decodeStarted).TotalMilliseconds;
            results[i] = decoded with { Timing = result.Timing with { PostprocessMs = postprocessMs }, RanOn = result.RanOn };
        }

        return results;
    }

    private static ItemOutput SelectOutput(ModelSpec model, ModelCard card, IReadOnlyList<ItemOutput> outputs) =>
        card.OutputName is null ? outputs[0] : outputs.FirstOrDefault(o => o.Name == card.OutputName)
            ?? throw new InvalidModelCardException($"The card reads output '{card.OutputName}', but model '{model.DisplayName}' has {string.Join(", ", outputs.Select(o => o.Name))}.");

    private static TaskResult Decode(ModelCard card, ReadOnlySpan<float> output, long[] shape, InferenceTiming timing, ExecutionProvider provider, Image? image = null) => card.Task switch
    {
        ModelTask.ImageClassification => Classify(card, output, timing, provider),
        ModelTask.TextDetection => new TaskResult(card.Task, [], null, timing, provider,
            Detection: TextDetection.FindBoxes(output, (int)shape[^1], (int)shape[^2], image!.Width, image.Height, card.Detection)),
        _ => new TaskResult(card.Task, [], DecodeText(card, output, shape), timing, provider),
    };

    /// <summary>The model input for one image as its card says: at the card's size, or, for a detector, at the image's own size limited and rounded to multiples of 32.</summary>
    public static (float[] Item, long[] ItemShape) PrepareFor(ModelCard card, Image image)
    {
        if (card.Task != ModelTask.TextDetection)
        {
            return Prepare(card.Input, image);
        }

        var input = card.Input;
        var (width, height) = TextDetection.InputSize(image.Width, image.Height, (card.Detection ?? new DbSettings()).LimitSide);
        var converted = input.Channels == 1 ? (image.Channels == 1 ? image : image.ToGray()) : (image.Channels == 3 ? image : image.ToRgb());
        var fitted = converted.Width == width && converted.Height == height ? converted : converted.Resize(width, height);
        if (input.Bgr && fitted.Channels == 3)
        {
            fitted = SwapRedAndBlue(fitted);
        }

        var format = FormatOf(input);
        var item = new float[format.ElementCount(width, height)];
        format.Write(fitted, item);
        return (item, input.Layout == TensorLayout.Nchw ? [input.Channels, height, width] : [height, width, input.Channels]);
    }

    // The tensor format of a card's input, built once per card rather than per image (an evaluation prepares thousands).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ImageInput, ImageTensorFormat> Formats = new();

    /// <summary>The model input for one image: gray or RGB, resized, normalised, in the card's layout.</summary>
    public static (float[] Item, long[] ItemShape) Prepare(ImageInput input, Image image)
    {
        var width = input.Width > 0
            ? input.Width
            : Math.Clamp((int)Math.Round(image.Width * (double)input.Height / image.Height), 1, input.MaxWidth);
        var format = FormatOf(input);
        var fitted = Fit(input, image, width);
        if (input.Bgr && fitted.Channels == 3)
        {
            fitted = SwapRedAndBlue(fitted);
        }

        var tensorWidth = Math.Max(width, input.PadToWidth);
        var item = new float[format.ElementCount(tensorWidth, input.Height)];
        if (tensorWidth == width)
        {
            format.Write(fitted, item);
        }
        else
        {
            var line = new float[format.ElementCount(width, input.Height)];
            format.Write(fitted, line);
            PadRight(line, item, input.Layout, input.Channels, input.Height, width, tensorWidth);
        }

        return (item, ItemShapeOf(input, tensorWidth));
    }

    // The line in the left columns of a wider tensor; the rest stays 0, the normalised value PaddleOCR pads with.
    private static void PadRight(float[] line, float[] item, TensorLayout layout, int channels, int height, int width, int tensorWidth)
    {
        if (layout == TensorLayout.Nchw)
        {
            for (var row = 0; row < channels * height; row++)
            {
                line.AsSpan(row * width, width).CopyTo(item.AsSpan(row * tensorWidth));
            }

            return;
        }

        for (var y = 0; y < height; y++)
        {
            line.AsSpan(y * width * channels, width * channels).CopyTo(item.AsSpan(y * tensorWidth * channels));
        }
    }

    private static Image SwapRedAndBlue(Image rgb)
    {
        var pixels = (byte[])rgb.Pixels.Clone();
        for (var i = 0; i < pixels.Length; i += 3)
        {
            (pixels[i], pixels[i + 2]) = (pixels[i + 2], pixels[i]);
        }

        return new Image(rgb.Width, rgb.Height, 3, pixels);
    }

    // Gray or RGB as the card asks, at the model's input size.
    private static Image Fit(ImageInput input, Image image, int width)
    {
        var converted = input.Channels == 1 ? (image.Channels == 1 ? image : image.ToGray()) : (image.Channels == 3 ? image : image.ToRgb());
        return converted.Width == width && converted.Height == input.Height ? converted : converted.Resize(width, input.Height);
    }

    private static ImageTensorFormat FormatOf(ImageInput input) => Formats.GetValue(input, static i => new ImageTensorFormat(
        i.Layout, i.Channels, Enumerable.Repeat(i.Scale, i.Channels).ToArray(), Expand(i.Mean, i.Channels), Expand(i.Std, i.Channels)));

    private static long[] ItemShapeOf(ImageInput input, int width) =>
        input.Layout == TensorLayout.Nchw ? [input.Channels, input.Height, width] : [input.Height, width, input.Channels];

    private static float[] Expand(IReadOnlyList<float> values, int channels) =>
        values.Count == channels ? values.ToArray() : Enumerable.Repeat(values[0], channels).ToArray();

    private static TaskResult Classify(ModelCard card, ReadOnlySpan<float> output, InferenceTiming timing, ExecutionProvider provider)
    {
        var probabilities = card.OutputKind == OutputKind.Logits ? Classification.Softmax(output) : output.ToArray();
        return new TaskResult(card.Task, Classification.TopK(probabilities, card.Labels, card.TopK), null, timing, provider, probabilities);
    }

    private static DecodedText DecodeText(ModelCard card, ReadOnlySpan<float> output, long[] shape)
    {
        // [time, classes] per item; a time-major model's item slice is [1, classes] per step after the batch split.
        var classes = (int)shape[^1];
        return CtcDecoding.Greedy(output, classes, card.Ctc!, card.OutputKind == OutputKind.Probabilities);
    }
}
