namespace QualityHub.Inference.Tests;

/// <summary>The binding against real models from the ONNX backend test data (Debian package libonnx-testdata).</summary>
public class OnnxSessionTests
{
    internal const string BackendData = "/usr/share/libonnx-testdata/data";

    internal static string NodeModel(string name) => Path.Combine(BackendData, "node", name, "model.onnx");

    private static readonly SessionSettings Cpu = new() { Provider = ProviderPreference.Cpu, IntraOpThreads = 1 };

    [Fact]
    public void A_session_describes_its_inputs_and_outputs()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu);

        var input = Assert.Single(session.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([3L, 4, 5], input.Shape);
        Assert.Equal("y", Assert.Single(session.Outputs).Name);
        Assert.Equal(ExecutionProvider.Cpu, session.Provider);
        Assert.Null(session.ProviderFallbackReason);
    }

    [Fact]
    public void Run_computes_the_model_on_managed_memory()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu);
        var data = Enumerable.Range(0, 60).Select(i => (i % 2 == 0 ? -1f : 1f) * i / 4f).ToArray();
        using var x = Tensor.Create(data, 3, 4, 5);

        var outputs = session.Run([x]);

        using var y = Assert.Single(outputs);
        Assert.Equal([3L, 4, 5], y.Shape.ToArray());
        Assert.Equal(data.Select(MathF.Abs).ToArray(), y.AsSpan<float>().ToArray());
    }

    [Fact]
    public void Pre_allocated_outputs_receive_the_same_result_as_allocated_ones()
    {
        using var session = OnnxSession.Load(NodeModel("test_add"), Cpu);
        var a = Enumerable.Range(0, 60).Select(i => i * 0.5f).ToArray();
        var b = Enumerable.Range(0, 60).Select(i => 100f - i).ToArray();
        using var x = Tensor.Create(a, 3, 4, 5);
        using var y = Tensor.Create(b, 3, 4, 5);
        using var sum = Tensor.Zeros<float>(3, 4, 5);

        session.Run([x, y], [sum]);
        using var allocated = session.Run([x, y])[0];

        Assert.Equal(a.Zip(b, (p, q) => p + q).ToArray(), sum.AsSpan<float>().ToArray());
        Assert.Equal(allocated.AsSpan<float>().ToArray(), sum.AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData("test_cast_FLOAT_to_DOUBLE", TensorElementType.Double)]
    [InlineData("test_cast_FLOAT_to_FLOAT16", TensorElementType.Float16)]
    [InlineData("test_and2d", TensorElementType.Bool)]
    public void Outputs_of_other_element_types_come_back_typed(string model, TensorElementType expected)
    {
        using var session = OnnxSession.Load(NodeModel(model), Cpu);
        var inputs = session.Inputs.Select(i => Tensor.FromBytes(i.ElementType, new byte[Tensor.ElementCountOf(i.Shape) * TensorElementTypes.SizeOf(i.ElementType)], i.Shape)).ToList();

        var output = Assert.Single(session.Run(inputs));

        Assert.Equal(expected, output.ElementType);
        Assert.Equal(session.Outputs[0].Shape, output.Shape.ToArray());
    }

    [Fact]
    public void A_session_without_spinning_threads_computes_the_same()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu with { AllowSpinning = false, IntraOpThreads = 2 });
        var data = Enumerable.Range(0, 60).Select(i => -i / 3f).ToArray();
        using var x = Tensor.Create(data, 3, 4, 5);

        using var y = Assert.Single(session.Run([x]));

        Assert.Equal(data.Select(MathF.Abs).ToArray(), y.AsSpan<float>().ToArray());
    }

    [Fact]
    public void CUDA_settings_become_the_provider_options_ORT_names()
    {
        var options = QualityHub.Inference.Runtime.SessionOptionsFactory.CudaOptions(Cpu with
        {
            CudaDeviceId = 1,
            CudaMemoryLimitBytes = 2L << 30,
            CudnnConvAlgoSearch = CudnnConvAlgoSearch.Heuristic,
            ArenaExtendStrategy = ArenaExtendStrategy.SameAsRequested,
        });

        Assert.Equal("1", options["device_id"]);
        Assert.Equal("2147483648", options["gpu_mem_limit"]);
        Assert.Equal("HEURISTIC", options["cudnn_conv_algo_search"]);
        Assert.Equal("kSameAsRequested", options["arena_extend_strategy"]);
        Assert.DoesNotContain("gpu_mem_limit", QualityHub.Inference.Runtime.SessionOptionsFactory.CudaOptions(Cpu).Keys);
    }

    [Fact]
    public void Runs_into_the_same_preallocated_tensors_allocate_no_managed_memory()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu with { IntraOpThreads = 1 });
        var data = Enumerable.Range(0, 60).Select(i => -i / 3f).ToArray();
        using var x = Tensor.Create(data, 3, 4, 5);
        using var y = Tensor.Zeros<float>(3, 4, 5);
        Tensor[] inputs = [x];
        Tensor[] outputs = [y];
        session.Run(inputs, outputs); // binds once

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            session.Run(inputs, outputs);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(data.Select(MathF.Abs).ToArray(), y.AsSpan<float>().ToArray());
    }

    [Fact]
    public void A_run_into_other_tensors_binds_them_instead_of_writing_into_the_last_ones()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu);
        using var x1 = Tensor.Create(Enumerable.Repeat(-1f, 60).ToArray(), 3, 4, 5);
        using var x2 = Tensor.Create(Enumerable.Repeat(-2f, 60).ToArray(), 3, 4, 5);
        using var y1 = Tensor.Zeros<float>(3, 4, 5);
        using var y2 = Tensor.Zeros<float>(3, 4, 5);

        session.Run([x1], [y1]);
        session.Run([x2], [y2]);

        Assert.All(y1.AsSpan<float>().ToArray(), v => Assert.Equal(1f, v));
        Assert.All(y2.AsSpan<float>().ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public async Task Concurrent_runs_into_their_own_tensors_each_get_their_own_answer()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu);

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(k => Task.Run(() =>
        {
            using var x = Tensor.Create(Enumerable.Repeat(-(float)k, 60).ToArray(), 3, 4, 5);
            using var y = Tensor.Zeros<float>(3, 4, 5);
            for (var i = 0; i < 200; i++)
            {
                session.Run([x], [y]);
                if (y.AsSpan<float>().ToArray().Any(v => v != k))
                {
                    return false;
                }
            }

            return true;
        })));

        Assert.All(results, Assert.True);
    }

    [Fact]
    public void Bytes_that_are_not_a_model_are_refused_naming_the_model()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load("this is a text file, not ONNX"u8, "notes.onnx", Cpu));

        Assert.Equal("notes.onnx", error.Model);
        Assert.Contains("notes.onnx", error.Message);
        Assert.NotEqual(OrtErrorCode.Ok, error.Code);
    }

    [Fact]
    public void A_truncated_model_is_refused_naming_the_model()
    {
        var bytes = File.ReadAllBytes(Path.Combine(BackendData, "pytorch-converted", "test_Conv2d", "model.onnx"));

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load(bytes.AsSpan(0, bytes.Length / 2), "conv-half.onnx", Cpu));

        Assert.Equal("conv-half.onnx", error.Model);
    }

    [Fact]
    public void A_model_using_an_operator_ORT_does_not_know_is_refused_naming_the_model_and_the_operator()
    {
        var bytes = Engine.IdentityModel.Bytes.ToArray();
        var at = bytes.AsSpan().IndexOf("Identity"u8);
        "NoSuchOp"u8.CopyTo(bytes.AsSpan(at)); // same length, so the protobuf stays well-formed

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load(bytes, "custom-op.onnx", Cpu));

        Assert.Equal("custom-op.onnx", error.Model);
        Assert.Contains("NoSuchOp", error.OrtMessage);
    }

    [Fact]
    public void Empty_bytes_and_missing_files_are_refused_clearly()
    {
        Assert.Contains("empty", Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load([], "empty.onnx", Cpu)).Message);
        var missing = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load("/nonexistent/model.onnx", Cpu));
        Assert.Equal(OrtErrorCode.NoSuchFile, missing.Code);
        Assert.Contains("model.onnx", missing.Message);
        Assert.DoesNotContain("/nonexistent", missing.Message); // a path is the server's business, not the reader's
    }

    [Fact]
    public void An_error_loading_a_file_names_the_model_and_not_the_files_path()
    {
        using var folder = new TempFolder();
        var path = folder.File("3f9a.onnx");
        File.WriteAllBytes(path, TestOnnxModels.Cycle());

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load(path, Cpu, name: "fashion/v7"));

        Assert.Contains("not acyclic", error.OrtMessage);
        Assert.Contains("fashion/v7", error.Message);
        Assert.DoesNotContain(folder.Path, error.Message);
        Assert.DoesNotContain("3f9a", error.Message);
    }

    [Fact]
    public void A_load_whose_cancellation_is_requested_gives_up()
    {
        using var folder = new TempFolder();
        var path = folder.File("relu.onnx");
        File.WriteAllBytes(path, TestOnnxModels.Relu());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => OnnxSession.Load(path, Cpu, loadCancellation: cancelled.Token));
        using var loaded = OnnxSession.Load(path, Cpu); // the same file loads when nobody gives up
        Assert.Equal("x", Assert.Single(loaded.Inputs).Name);
    }

    [Fact]
    public void A_wrong_input_shape_or_type_is_refused_before_ORT_runs()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu);
        using var wrongShape = Tensor.Zeros<float>(3, 4);
        using var wrongType = Tensor.Zeros<double>(3, 4, 5);

        var shapeError = Assert.Throws<ArgumentException>(() => session.Run([wrongShape]));
        var typeError = Assert.Throws<ArgumentException>(() => session.Run([wrongType]));
        var countError = Assert.Throws<ArgumentException>(() => session.Run([]));

        Assert.Contains("x: Float [3, 4, 5]", shapeError.Message);
        Assert.Contains("Double", typeError.Message);
        Assert.Contains("takes 1 input(s)", countError.Message);
    }

    [Fact]
    public void Asking_for_CUDA_without_a_GPU_falls_back_to_CPU_and_says_why()
    {
        using var session = OnnxSession.Load(NodeModel("test_abs"), Cpu with { Provider = ProviderPreference.Cuda });

        // On a machine with a working CUDA provider the session runs on CUDA and there is nothing to explain.
        if (session.Provider == ExecutionProvider.Cpu)
        {
            // ORT's own words, not only that something failed to load.
            Assert.StartsWith("CUDA unavailable: ", session.ProviderFallbackReason);
            Assert.True(session.ProviderFallbackReason!.Length > "CUDA unavailable: ".Length + 10, session.ProviderFallbackReason);
            Assert.DoesNotContain("/runtimes/", session.ProviderFallbackReason); // the install path stays on the server
        }
        else
        {
            Assert.Null(session.ProviderFallbackReason);
        }

        using var x = Tensor.Create(Enumerable.Repeat(-2f, 60).ToArray(), 3, 4, 5);
        Assert.Equal(2f, session.Run([x])[0].AsSpan<float>()[0]);
    }

    [Fact]
    public void Tensors_check_their_shape_against_their_data()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Create(new float[5], 2, 3));
        Assert.Contains("6 elements", error.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros<float>(2, -1));
    }
}
