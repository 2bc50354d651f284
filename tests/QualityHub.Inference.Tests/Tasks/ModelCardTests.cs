using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Tasks;

namespace QualityHub.Inference.Tests.Tasks;

public sealed class ModelCardTests : IAsyncLifetime
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "Models");
    private readonly InferenceEngine engine = new(Options.Create(new InferenceOptions { Provider = ProviderPreference.Cpu, IntraOpThreads = 1 }), NullLogger<InferenceEngine>.Instance);

    [Fact]
    public void A_card_survives_a_round_trip_through_JSON()
    {
        var card = new ModelCard
        {
            Task = ModelTask.TextRecognition,
            Input = new ImageInput { Width = 0, Height = 48, Channels = 3, Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f] },
            Ctc = new CtcSettings { BlankIndex = 0, Charset = ["0", "1", "/"] },
        };

        var again = ModelCard.Parse(card.ToJson());

        Assert.Contains("\"task\": \"text-recognition\"", card.ToJson());
        Assert.Equal(card.Ctc.Charset, again.Ctc!.Charset);
        Assert.Equal(48, again.Input.Height);
        Assert.Equal(card.Input.Mean, again.Input.Mean);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{ "task": "image-classification", "input": { "width": 28, "height": 28, "channels": 2 } }""", "input.channels")]
    [InlineData("""{ "task": "image-classification", "input": { "width": 28, "height": 28, "std": [0] } }""", "input.std")]
    [InlineData("""{ "task": "text-recognition", "input": { "width": 0, "height": 32 } }""", "ctc.charset")]
    [InlineData("""{ "task": "text-recognition", "input": { "width": 0, "height": 32 }, "ctc": { "charsetFile": "missing.txt" } }""", "missing.txt")]
    [InlineData("""{ "task": "image-classification", "input": { "width": 28, "height": 28 }, "topK": 0 }""", "topK")]
    public void A_card_that_cannot_work_is_refused_naming_the_field(string json, string field)
    {
        var error = Assert.Throws<InvalidModelCardException>(() => ModelCard.Parse(json, Path.GetTempPath()));

        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void A_charset_file_beside_the_card_is_read_with_PP_OCR_s_trailing_space()
    {
        var folder = Directory.CreateTempSubdirectory("qualityhub-card-").FullName;
        try
        {
            File.WriteAllLines(Path.Combine(folder, "keys.txt"), ["0", "1", "/"]);
            var cardPath = Path.Combine(folder, "ocr.card.json");
            File.WriteAllText(cardPath, """{ "task": "text-recognition", "input": { "width": 0, "height": 48, "channels": 3 }, "ctc": { "charsetFile": "keys.txt", "appendSpace": true } }""");

            var card = ModelCard.Load(cardPath);

            Assert.Equal(["0", "1", "/", " "], card.Ctc!.Charset);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_CTC_model_gets_a_text_recognition_card_proposed()
    {
        var model = await engine.LoadAsync(new ModelSpec("tiny-ctc", Path.Combine(Models, "tiny-ctc.onnx"), "tiny-ctc"));

        var card = ModelCardProposal.Propose(model);

        Assert.Equal(ModelTask.TextRecognition, card.Task);
        Assert.Equal(TensorLayout.Nchw, card.Input.Layout);
        Assert.Equal((1, 4, 8), (card.Input.Channels, card.Input.Height, card.Input.Width));
        Assert.Equal(0, card.Ctc!.BlankIndex);
        Assert.Contains("charset", card.Notes);
    }

    [Fact]
    public async Task A_model_without_an_image_input_gets_a_clear_refusal()
    {
        var model = await engine.LoadAsync(new ModelSpec("tiny-classifier", Path.Combine(Models, "tiny-classifier.onnx"), "tiny-classifier"));

        var error = Assert.Throws<InvalidModelCardException>(() => ModelCardProposal.Propose(model));

        Assert.Contains("tiny-classifier", error.Message);
        Assert.Contains("image input", error.Message);
    }

    [Fact]
    public async Task The_tiny_CTC_model_decodes_through_the_engine_to_the_digits_it_was_built_for()
    {
        // tools/make_bench_models.py: at each step the class nearest to image[0,0,t] wins; 0 is the blank.
        var spec = new ModelSpec("tiny-ctc", Path.Combine(Models, "tiny-ctc.onnx"), "tiny-ctc");
        var image = new float[4 * 8];
        float[] row = [0, 1, 1, 0, 2, 3, 4, 0];
        row.CopyTo(image, 0);

        var result = await engine.InferAsync(spec, image, [1, 4, 8]);
        var output = result.Outputs[0];
        var text = CtcDecoding.Greedy(output.Data, (int)output.Shape[1], new CtcSettings { Charset = ["1", "2", "3", "4"] });

        Assert.Equal([8L, 5], output.Shape);
        Assert.Equal("1234", text.Text);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await engine.DisposeAsync();
}
