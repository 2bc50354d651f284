using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Onnx;

namespace QualityHub.Inference.Tasks;

/// <summary>
/// Proposes a model card from what the session says about the model: input layout and size from the input shape,
/// the task from the output's rank, labels or charset from the model's metadata ("labels", "charset"). What cannot
/// be known from the file (normalisation, whether outputs are logits) gets a default and a note to check it.
/// </summary>
public static class ModelCardProposal
{
    public static ModelCard Propose(LoadedModel model) =>
        Propose(model.DisplayName, model.Inputs, model.Outputs, model.Metadata.Custom);

    /// <summary>The same proposal from the model file alone (no session needed), as the registry makes it on import.</summary>
    public static ModelCard Propose(string displayName, OnnxModelInfo info) =>
        Propose(
            displayName,
            info.RequiredInputs.Select(AsTensorInfo).ToList(),
            info.Outputs.Select(AsTensorInfo).ToList(),
            info.MetadataProps);

    private static TensorInfo AsTensorInfo(OnnxValueInfo value) => new(
        value.Name,
        value.ElementType ?? TensorElementType.Undefined,
        value.Shape?.Select(d => d.Value ?? -1).ToArray() ?? [],
        value.Shape?.Select(d => d.Symbol).ToArray() ?? [],
        value.Kind == OnnxValueKind.Tensor);

    private static ModelCard Propose(string displayName, IReadOnlyList<TensorInfo> inputs, IReadOnlyList<TensorInfo> outputs, IReadOnlyDictionary<string, string> custom)
    {
        if (inputs.Count != 1 || inputs[0].Shape.Length != 4)
        {
            throw new InvalidModelCardException(
                $"Model '{displayName}' takes {string.Join("; ", inputs)}; a card can be proposed only for one image input [batch, channels, height, width] or [batch, height, width, channels].");
        }

        var input = inputs[0];
        var shape = input.Shape;
        var (layout, channels, height, width) = shape[1] is 1 or 3
            ? (TensorLayout.Nchw, (int)shape[1], shape[2], shape[3])
            : shape[3] is 1 or 3
                ? (TensorLayout.Nhwc, (int)shape[3], shape[1], shape[2])
                : throw new InvalidModelCardException($"Model '{displayName}' input {input} has neither 1 or 3 channels second (NCHW) nor last (NHWC).");
        if (height <= 0)
        {
            throw new InvalidModelCardException($"Model '{displayName}' input {input} does not fix the image height; write the card by hand.");
        }

        var output = outputs[0];
        var notes = new List<string> { "Proposed from the model's shapes and metadata.", "Check the normalisation (scale, mean, std): the model file does not record it." };
        var imageInput = new ImageInput
        {
            Name = input.Name,
            Layout = layout,
            Channels = channels,
            Height = (int)height,
            Width = width > 0 ? (int)width : 0,
            Mean = Enumerable.Repeat(0f, channels).ToList(),
            Std = Enumerable.Repeat(1f, channels).ToList(),
        };

        if (output.Shape.Length == 2)
        {
            var classes = output.Shape[1];
            var labels = Split(custom.GetValueOrDefault("labels"));
            if (labels.Count == 0 || (classes > 0 && labels.Count != classes))
            {
                labels = Enumerable.Range(0, (int)Math.Max(classes, 0)).Select(i => $"class {i}").ToList();
                notes.Add("The model carries no labels matching its outputs: name the classes.");
            }

            notes.Add("Outputs are taken as logits (softmax applied); set outputKind to probabilities if the model ends in a softmax.");
            return new ModelCard { Task = ModelTask.ImageClassification, Input = imageInput, OutputName = output.Name, Labels = labels, Notes = string.Join(" ", notes) };
        }

        if (output.Shape.Length == 3)
        {
            var charset = Split(custom.GetValueOrDefault("charset"));
            if (charset.Count == 0)
            {
                notes.Add("The model carries no charset: list the characters of its output classes (ctc.charset).");
            }

            // The engine splits batches along the first dimension, so a time-major [time, batch, classes] output cannot be served.
            if (output.Shape[0] > 0 && input.Shape[0] < 0 || output.SymbolicDimensions[0] is { } o && input.SymbolicDimensions[0] is { } i && o != i)
            {
                throw new InvalidModelCardException($"Model '{displayName}' output {output} looks time-major ([time, batch, classes]); QualityHub reads [batch, time, classes].");
            }

            return new ModelCard
            {
                Task = ModelTask.TextRecognition,
                Input = imageInput,
                OutputName = output.Name,
                Ctc = new CtcSettings { BlankIndex = 0, Charset = charset },
                Notes = string.Join(" ", notes),
            };
        }

        throw new InvalidModelCardException($"Model '{displayName}' output {output} is neither [batch, classes] (classification) nor [batch, time, classes] (CTC text recognition).");
    }

    private static List<string> Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(',').Select(s => s.Trim()).ToList();
}
