namespace QualityHub.Inference.Tests;

/// <summary>The check a model passes before it is registered: ONNX Runtime loads it from its own file, in time.</summary>
public sealed class OnnxModelCheckTests : IDisposable
{
    private static readonly TimeSpan Enough = TimeSpan.FromSeconds(30);
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Write(byte[] model)
    {
        var path = folder.File("upload.onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    [Fact]
    public async Task A_model_ONNX_Runtime_loads_has_no_problem()
    {
        Assert.Null(await OnnxModelCheck.FindProblemAsync(Write(TestOnnxModels.Relu()), "relu.onnx", Enough));
    }

    [Fact]
    public async Task External_data_is_refused_even_when_the_file_it_names_is_there()
    {
        // ONNX Runtime itself would load this one, reading weights.bin from beside the model.
        await File.WriteAllBytesAsync(folder.File("weights.bin"), new byte[16]);

        var problem = await OnnxModelCheck.FindProblemAsync(Write(TestOnnxModels.ExternalWeights()), "w.onnx", Enough);

        Assert.Equal(
            "tensor 'w' keeps its data in a separate file (ONNX external data); only models with every tensor inside the .onnx file are accepted",
            problem);
    }

    [Theory]
    [InlineData("unknown-operator", "No Op registered for NoSuchOp")]
    [InlineData("cycle", "the graph is not acyclic")]
    [InlineData("absurd-initializer", "declares a size of 160000000000 bytes")]
    public async Task A_model_ONNX_Runtime_refuses_gets_its_reason_naming_the_model_and_not_the_path(string kind, string reason)
    {
        var model = kind switch
        {
            "unknown-operator" => TestOnnxModels.UnknownOperator(),
            "cycle" => TestOnnxModels.Cycle(),
            _ => TestOnnxModels.AbsurdInitializer(),
        };

        var problem = await OnnxModelCheck.FindProblemAsync(Write(model), "mine.onnx", Enough);

        Assert.StartsWith("ONNX Runtime cannot load it: ", problem);
        Assert.Contains(reason, problem);
        Assert.DoesNotContain(folder.Path, problem);
    }

    [Fact]
    public async Task A_load_past_the_time_limit_is_a_problem_and_is_asked_to_give_up()
    {
        var path = Write(TestOnnxModels.Relu());
        var gaveUp = new TaskCompletionSource();
        OnnxSession NeverEnding(CancellationToken giveUp)
        {
            giveUp.WaitHandle.WaitOne();
            gaveUp.SetResult();
            throw new OperationCanceledException(giveUp);
        }

        var problem = await OnnxModelCheck.FindProblemAsync(path, TimeSpan.FromMilliseconds(200), NeverEnding, CancellationToken.None);

        Assert.Equal("ONNX Runtime did not finish loading it within 0.2 s", problem);
        await gaveUp.Task.WaitAsync(Enough);
    }
}
