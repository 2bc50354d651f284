using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Tests.Tasks;

public sealed class ModelTaskRunnerTests : IAsyncLifetime
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "Models");
    private static readonly ModelSpec TinyCtc = new("tiny-ctc", Path.Combine(Models, "tiny-ctc.onnx"), "tiny-ctc");
    private readonly InferenceEngine engine = new(Options.Create(new InferenceOptions { Provider = ProviderPreference.Cpu, IntraOpThreads = 1 }), NullLogger<InferenceEngine>.Instance);

    // tiny-ctc reads row 0; with scale 1/50 a pixel of 50·k becomes k, which decodes as class k (0 = blank).
    private static readonly ModelCard CtcCard = new()
    {
        Task = ModelTask.TextRecognition,
        Input = new ImageInput { Width = 0, Height = 4, Channels = 1, Scale = 1f / 50f },
        Ctc = new CtcSettings { BlankIndex = 0, Charset = ["1", "2", "3", "4"] },
    };

    /// <summary>A gray image twice the model's size whose 2×2 blocks are uniform, so resizing it down is exact.</summary>
    private static Image DoubledRow(params byte[] row)
    {
        var image = new Image(row.Length * 2, 8, 1);
        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < row.Length * 2; x++)
            {
                image.GetRow(y)[x] = row[x / 2];
            }
        }

        return image;
    }

    [Fact]
    public async Task A_text_line_is_resized_to_the_model_height_normalised_run_and_decoded()
    {
        var runner = new ModelTaskRunner(engine);

        var result = await runner.RunAsync(TinyCtc, CtcCard, DoubledRow(0, 50, 50, 0, 100, 150, 200, 0));

        Assert.Equal("1234", result.Output);
        Assert.Equal(4, result.Text!.Confidences.Count);
        Assert.Equal(result.Text.MinConfidence, result.Confidence);
        Assert.True(result.Timing.PreprocessMs > 0 && result.Timing.PostprocessMs > 0);
        Assert.Equal(ExecutionProvider.Cpu, result.Provider);
    }

    [Fact]
    public async Task An_RGB_image_is_converted_to_the_gray_input_the_card_asks_for()
    {
        var runner = new ModelTaskRunner(engine);
        var rgb = DoubledRow(0, 200, 0, 150, 0, 100, 0, 50).ToRgb();

        var result = await runner.RunAsync(TinyCtc, CtcCard, rgb);

        Assert.Equal("4321", result.Output);
    }

    [Fact]
    public void Preparing_follows_the_cards_layout_and_normalisation()
    {
        var image = new Image(2, 1, 3, [10, 20, 30, 40, 50, 60]);
        var input = new ImageInput { Width = 2, Height = 1, Channels = 3, Layout = TensorLayout.Nchw, Scale = 1f, Mean = [10, 20, 30], Std = [2, 2, 2] };

        var (nchw, nchwShape) = ModelTaskRunner.Prepare(input, image);
        var (nhwc, nhwcShape) = ModelTaskRunner.Prepare(input with { Layout = TensorLayout.Nhwc }, image);

        Assert.Equal([3L, 1, 2], nchwShape);
        Assert.Equal([0f, 15f, 0f, 15f, 0f, 15f], nchw); // R plane, G plane, B plane
        Assert.Equal([1L, 2, 3], nhwcShape);
        Assert.Equal([0f, 0f, 0f, 15f, 15f, 15f], nhwc); // pixel by pixel
    }

    [Fact]
    public void A_narrow_line_is_padded_on_the_right_with_zeros_and_bgr_swaps_red_and_blue_as_paddleocr_feeds_them()
    {
        // A 2×1 line at height 1 stays 2 wide; padded to 4, columns 2 and 3 of every plane (or pixel) are 0.
        var image = new Image(2, 1, 3, [10, 20, 30, 40, 50, 60]);
        var input = new ImageInput { Width = 0, Height = 1, Channels = 3, Layout = TensorLayout.Nchw, Scale = 1f, Mean = [0], Std = [1], PadToWidth = 4 };

        var (padded, shape) = ModelTaskRunner.Prepare(input, image);
        var (bgr, _) = ModelTaskRunner.Prepare(input with { Bgr = true }, image);
        var (nhwc, nhwcShape) = ModelTaskRunner.Prepare(input with { Layout = TensorLayout.Nhwc }, image);
        var (wide, wideShape) = ModelTaskRunner.Prepare(input with { PadToWidth = 1 }, image); // wider than the pad: as it is

        Assert.Equal([3L, 1, 4], shape);
        Assert.Equal([10f, 40f, 0f, 0f, 20f, 50f, 0f, 0f, 30f, 60f, 0f, 0f], padded);
        Assert.Equal([30f, 60f, 0f, 0f, 20f, 50f, 0f, 0f, 10f, 40f, 0f, 0f], bgr);
        Assert.Equal([1L, 4, 3], nhwcShape);
        Assert.Equal([10f, 20f, 30f, 40f, 50f, 60f, 0f, 0f, 0f, 0f, 0f, 0f], nhwc);
        Assert.Equal([3L, 1, 2], wideShape);
        Assert.Equal(6, wide.Length);
        Assert.Throws<InvalidModelCardException>(() => (input with { Width = 2 }).Check()); // a fixed width is never padded
    }

    [Fact]
    public async Task A_classifier_answers_with_its_top_five_labels_most_probable_first()
    {
        var bench = new ModelSpec("cnn", Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "bench", "cnn-fashion-sized.onnx"), "cnn");
        var labels = Enumerable.Range(0, 10).Select(i => $"label {i}").ToList();
        var card = new ModelCard { Task = ModelTask.ImageClassification, Input = new ImageInput { Width = 28, Height = 28 }, Labels = labels };
        var image = new Image(56, 56, 3);
        new Random(7).NextBytes(image.Pixels);

        var result = await new ModelTaskRunner(engine).RunAsync(bench, card, image);

        Assert.Equal(5, result.TopK.Count);
        Assert.Equal(result.TopK.OrderByDescending(s => s.Probability).Select(s => s.Index), result.TopK.Select(s => s.Index));
        Assert.Equal(result.TopK[0].Label, result.Output);
        Assert.All(result.TopK, s => Assert.Equal($"label {s.Index}", s.Label));
        Assert.InRange(result.TopK.Sum(s => s.Probability), 0.0, 1.0001);
    }

    [Fact]
    public async Task A_batch_of_images_answers_each_exactly_as_a_lone_run_does()
    {
        var bench = new ModelSpec("cnn", Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "bench", "cnn-fashion-sized.onnx"), "cnn");
        var labels = Enumerable.Range(0, 10).Select(i => $"label {i}").ToList();
        var card = new ModelCard { Task = ModelTask.ImageClassification, Input = new ImageInput { Width = 28, Height = 28 }, Labels = labels };
        var random = new Random(11);
        var images = Enumerable.Range(0, 12).Select(i =>
        {
            // Mixed sizes and channels: each is converted and resized into its own slot of the batch.
            var image = new Image(28 + (i * 4), 28 + (i * 2), i % 2 == 0 ? 1 : 3);
            random.NextBytes(image.Pixels);
            return image;
        }).ToList();
        var runner = new ModelTaskRunner(engine);

        var batch = await runner.RunBatchAsync(bench, card, images);
        var alone = new List<TaskResult>();
        foreach (var image in images)
        {
            alone.Add(await runner.RunAsync(bench, card, image));
        }

        Assert.Equal(images.Count, batch.Count);
        Assert.All(batch, r => Assert.Equal(12, r.Timing.BatchSize));
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(alone[i].TopK.Select(s => s.Index), batch[i].TopK.Select(s => s.Index));
            Assert.Equal(alone[i].Probabilities!.ToArray(), batch[i].Probabilities!.ToArray(), (a, b) => Math.Abs(a - b) < 1e-5f);
        }
    }

    [Fact]
    public async Task A_batch_reusing_an_earlier_batchs_buffer_answers_as_on_a_fresh_one()
    {
        var bench = new ModelSpec("cnn", Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "bench", "cnn-fashion-sized.onnx"), "cnn");
        var card = new ModelCard { Task = ModelTask.ImageClassification, Input = new ImageInput { Width = 28, Height = 28 }, Labels = Enumerable.Range(0, 10).Select(i => $"label {i}").ToList() };
        var random = new Random(5);
        List<Image> Images() => Enumerable.Range(0, 8).Select(_ =>
        {
            var image = new Image(28, 28, 1);
            random.NextBytes(image.Pixels);
            return image;
        }).ToList();
        var (first, second) = (Images(), Images());
        var reused = new ModelTaskRunner(engine);

        await reused.RunBatchAsync(bench, card, first); // leaves its buffer, full of the first images, to the next batch
        var again = await reused.RunBatchAsync(bench, card, second);
        var fresh = await new ModelTaskRunner(engine).RunBatchAsync(bench, card, second);

        for (var i = 0; i < second.Count; i++)
        {
            Assert.Equal(fresh[i].Probabilities!.ToArray(), again[i].Probabilities!.ToArray());
        }
    }

    [Fact]
    public async Task A_batch_of_text_lines_whose_card_leaves_the_width_open_is_run_line_by_line()
    {
        var runner = new ModelTaskRunner(engine);

        var results = await runner.RunBatchAsync(TinyCtc, CtcCard, [DoubledRow(0, 50, 50, 0, 100, 150, 200, 0), DoubledRow(0, 200, 0, 150, 0, 100, 0, 50)]);

        Assert.Equal(["1234", "4321"], results.Select(r => r.Output));
    }

    [Fact]
    public async Task A_card_naming_an_output_the_model_lacks_is_refused()
    {
        var card = CtcCard with { OutputName = "probabilities" };

        var error = await Assert.ThrowsAsync<InvalidModelCardException>(() => new ModelTaskRunner(engine).RunAsync(TinyCtc, card, DoubledRow(0, 50, 0, 0, 0, 0, 0, 0)));

        Assert.Contains("'probabilities'", error.Message);
        Assert.Contains("logits", error.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await engine.DisposeAsync();
}
