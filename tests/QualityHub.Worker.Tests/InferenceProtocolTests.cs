using Grpc.Core;
using Grpc.Net.Client;
using QualityHub.Inference;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker.Tests;

/// <summary>The open inference protocol as a worker serves it: health, metadata, batched inference, and every refusal.</summary>
public sealed class InferenceProtocolTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private RunningWorker worker = null!;

    public Task InitializeAsync()
    {
        worker = RunningWorker.OnUnixSocket();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await worker.DisposeAsync();

    // tiny-classifier: logits = [x0+x3+0.5, x1+x3, x2+x3-0.5] (tools/make_bench_models.py)
    private static float[] Expected(float[] x) => [x[0] + x[3] + 0.5f, x[1] + x[3], x[2] + x[3] - 0.5f];

    // The generated client itself, for requests the portal's client would never send.
    private GRPCInferenceService.GRPCInferenceServiceClient RawClient(out GrpcChannel channel)
    {
        channel = WorkerChannel.Create(worker.ClientAddress, maxMessageMb: 64);
        return new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    }

    private static Metadata WithKey(string key = RunningWorker.Key) => new() { { WorkerKeyInterceptor.Header, key } };

    private static ModelInferRequest Request(string model, long[] shape, float[] values, string datatype = TensorData.Fp32, string input = "pixels")
    {
        var request = new ModelInferRequest { ModelName = model, Id = "req-1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = datatype, Shape = { shape } });
        request.RawInputContents.Add(TensorData.RawOf(values));
        return request;
    }

    private async Task<RpcException> RefusedAsync(ModelInferRequest request)
    {
        var client = RawClient(out var channel);
        using (channel)
        {
            return await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(request, WithKey()).ResponseAsync);
        }
    }

    [Fact]
    public async Task The_server_is_live_and_ready_and_describes_itself_and_its_device()
    {
        using var client = worker.Client();

        var described = await client.DescribeAsync(Timeout);

        Assert.True(await client.LiveAsync(Timeout));
        Assert.Equal(WorkerOptions.Protocol, described.Protocol);
        Assert.Equal("Cpu", described.Provider);
        Assert.StartsWith("CPU: ", described.Device);
        Assert.Equal(Environment.ProcessorCount, described.Cores);
        Assert.True(described.DeviceMemoryBytes > 0);
        Assert.Empty(described.Models);
    }

    [Fact]
    public async Task A_batch_runs_as_one_request_and_answers_each_item_with_raw_bytes()
    {
        using var client = worker.Client();
        float[][] items = [[1, 2, 3, 4], [0.25f, -1.5f, 3, 0.125f], [-2, 0, 5, 1]];

        var result = await client.InferAsync(RunningWorker.TinyClassifier, "pixels", items.SelectMany(i => i).ToArray(), [3, 4], Timeout);

        var output = Assert.Single(result.Outputs);
        Assert.Equal([3L, 3L], output.Shape);
        Assert.Equal(items.SelectMany(Expected), output.Data);
        Assert.Equal(3, result.Timing.BatchSize);
        Assert.Equal(ExecutionProvider.Cpu, result.Provider);
        Assert.True(result.Timing.ComputeMs > 0);
        var described = await client.DescribeAsync(Timeout);
        var loaded = Assert.Single(described.Models);
        Assert.Equal(RunningWorker.TinyClassifier, loaded.Name);
        Assert.Equal(3, loaded.Items);
        Assert.True(await client.ModelReadyAsync(RunningWorker.TinyClassifier, Timeout));
    }

    [Fact]
    public async Task A_model_is_fetched_once_checked_and_kept_even_when_first_asked_for_by_many_at_once()
    {
        using var client = worker.Client();
        Assert.False(await client.ModelReadyAsync(RunningWorker.TinyClassifier, Timeout));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.InferAsync(RunningWorker.TinyClassifier, "pixels", [i, 0, 0, 0], [1, 4], Timeout)));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => i + 0.5f), answers.Select(a => a.Outputs[0].Data[0]));
        Assert.Equal([RunningWorker.TinyClassifier], worker.PortalRequests);
        var kept = Path.Combine(worker.CacheDirectory, RunningWorker.TinyClassifier + ".onnx");
        Assert.Equal(RunningWorker.TinyClassifier, RunningWorker.Sha256Of(await File.ReadAllBytesAsync(kept)));
        Assert.Single(Directory.GetFiles(worker.CacheDirectory));
    }

    [Fact]
    public async Task Model_metadata_names_the_inputs_and_outputs_with_the_protocols_types_and_open_dimensions()
    {
        using var client = worker.Client();

        var metadata = await client.ModelMetadataAsync(RunningWorker.TinyClassifier, Timeout);

        Assert.Equal(InferenceProtocolService.Platform, metadata.Platform);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("pixels", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 4L], input.Shape);
        var output = Assert.Single(metadata.Outputs);
        Assert.Equal("FP32", output.Datatype);
        Assert.Equal(-1L, output.Shape[0]);
    }

    [Fact]
    public async Task Values_in_the_typed_contents_field_answer_as_raw_bytes_do()
    {
        var client = RawClient(out var channel);
        using (channel)
        {
            var request = new ModelInferRequest { ModelName = RunningWorker.TinyClassifier, Id = "typed" };
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
            {
                Name = "pixels",
                Datatype = "FP32",
                Shape = { 2, 4 },
                Contents = new InferTensorContents { Fp32Contents = { 1, 2, 3, 4, 5, 6, 7, 8 } },
            });

            var response = await client.ModelInferAsync(request, WithKey());

            Assert.Equal("typed", response.Id);
            var result = WorkerClient.Read(response);
            Assert.Equal(Expected([1, 2, 3, 4]).Concat(Expected([5, 6, 7, 8])), result.Outputs[0].Data);
        }
    }

    [Fact]
    public async Task A_call_without_the_key_or_with_another_is_refused_before_any_work()
    {
        using var stranger = worker.Client("not-the-worker-key-at-all");
        var client = RawClient(out var channel);
        using (channel)
        {
            var withoutKey = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(Request(RunningWorker.TinyClassifier, [1, 4], [1, 2, 3, 4])).ResponseAsync);
            var wrongKey = await Assert.ThrowsAsync<WorkerException>(() => stranger.InferAsync(RunningWorker.TinyClassifier, "pixels", [1, 2, 3, 4], [1, 4], Timeout));

            Assert.Equal(StatusCode.Unauthenticated, withoutKey.StatusCode);
            Assert.Contains(WorkerKeyInterceptor.Header, withoutKey.Status.Detail);
            Assert.Equal(StatusCode.Unauthenticated, wrongKey.Status);
            Assert.Contains("refused the portal's key", wrongKey.Message);
            Assert.Empty(worker.PortalRequests);
            using var portalClient = worker.Client();
            Assert.Empty((await portalClient.DescribeAsync(Timeout)).Models);
        }
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("fashion-cnn-v1")]
    [InlineData("AB4F0D0D5C8B1F4F0E6A2C5B3D7E9F1A2B4C6D8E0F1A3B5C7D9E1F3A5B7C9D1E")]
    public async Task A_model_is_named_by_its_content_hash_and_nothing_else(string name)
    {
        var refused = await RefusedAsync(Request(name, [1, 4], [1, 2, 3, 4]));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("SHA-256", refused.Status.Detail);
        Assert.Empty(worker.PortalRequests);
    }

    [Fact]
    public async Task A_model_the_portal_does_not_have_is_not_found_and_one_whose_bytes_do_not_match_is_not_kept()
    {
        var unknown = RunningWorker.Sha256Of([1, 2, 3]);
        var forged = RunningWorker.Sha256Of([4, 5, 6]);
        worker.PortalModels[forged] = await File.ReadAllBytesAsync(RunningWorker.TinyClassifierPath);

        var missing = await RefusedAsync(Request(unknown, [1, 4], [1, 2, 3, 4]));
        var mismatched = await RefusedAsync(Request(forged, [1, 4], [1, 2, 3, 4]));

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("The portal has no model", missing.Status.Detail);
        Assert.Equal(StatusCode.DataLoss, mismatched.StatusCode);
        Assert.Contains(RunningWorker.TinyClassifier, mismatched.Status.Detail); // the hash the bytes really have
        Assert.Empty(Directory.Exists(worker.CacheDirectory) ? Directory.GetFiles(worker.CacheDirectory) : []);
        using var client = worker.Client();
        Assert.Equal(Expected([1, 2, 3, 4]), (await client.InferAsync(RunningWorker.TinyClassifier, "pixels", [1, 2, 3, 4], [1, 4], Timeout)).Outputs[0].Data);
    }

    [Fact]
    public async Task Tensors_of_the_wrong_type_shape_size_or_name_are_refused_naming_what_the_model_takes()
    {
        var model = RunningWorker.TinyClassifier;

        var wrongType = await RefusedAsync(Request(model, [1, 4], [1, 2, 3, 4], datatype: "INT32"));
        var wrongShape = await RefusedAsync(Request(model, [1, 5], [1, 2, 3, 4, 5]));
        var wrongRank = await RefusedAsync(Request(model, [4], [1, 2, 3, 4]));
        var wrongName = await RefusedAsync(Request(model, [1, 4], [1, 2, 3, 4], input: "image"));
        var shortData = Request(model, [2, 4], [1, 2, 3, 4]);
        var tooShort = await RefusedAsync(shortData);
        var twoInputs = Request(model, [1, 4], [1, 2, 3, 4]);
        twoInputs.Inputs.Add(twoInputs.Inputs[0].Clone());
        var twoRefused = await RefusedAsync(twoInputs);
        var unknownOutput = Request(model, [1, 4], [1, 2, 3, 4]);
        unknownOutput.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" });
        var outputRefused = await RefusedAsync(unknownOutput);
        var emptyBatch = await RefusedAsync(Request(model, [0, 4], []));

        Assert.All([wrongType, wrongShape, wrongRank, wrongName, tooShort, twoRefused, outputRefused, emptyBatch], e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.Contains("is FP32, not 'INT32'", wrongType.Status.Detail);
        Assert.Contains("has shape [-1, 4] (-1: any size), not [1, 5]", wrongShape.Status.Detail);
        Assert.Contains("[-1, 4]", wrongRank.Status.Detail);
        Assert.Contains("input is 'pixels', not 'image'", wrongName.Status.Detail);
        Assert.Contains("32 bytes of FP32, not 16", tooShort.Status.Detail);
        Assert.Contains("the request has 2", twoRefused.Status.Detail);
        Assert.Contains("no output 'probabilities'", outputRefused.Status.Detail);
        Assert.Contains("at least one item", emptyBatch.Status.Detail);
        using var client = worker.Client();
        Assert.Equal(Expected([1, 2, 3, 4]), (await client.InferAsync(model, "pixels", [1, 2, 3, 4], [1, 4], Timeout)).Outputs[0].Data);
    }

    [Fact]
    public async Task Items_timed_on_the_worker_run_each_alone_in_one_call_and_answer_as_their_own_requests_would()
    {
        using var client = worker.Client();
        var items = Enumerable.Range(0, 7).Select(i => new float[] { i, -i, 0.5f * i, 1 }).ToList();

        var timed = await client.InferEachAsync(RunningWorker.TinyClassifier, items, items.Select(_ => new long[] { 4 }).ToList(), Timeout);

        Assert.Equal(items.Count, timed.Count);
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(Expected(items[i]), timed[i].Outputs[0].Data);
            Assert.Equal([3L], timed[i].Outputs[0].Shape); // an item's answer, without a batch dimension
            Assert.True(timed[i].Timing.ComputeMs > 0, $"item {i} was not timed on the worker");
            Assert.Equal(ExecutionProvider.Cpu, timed[i].Provider);
        }

        // Seven runs of one item each: nothing was stacked.
        var held = Assert.Single((await client.DescribeAsync(Timeout)).Models);
        Assert.Equal(7, held.Items);
        var engine = (QualityHub.Inference.Engine.InferenceEngine)worker.Services.GetService(typeof(QualityHub.Inference.Engine.InferenceEngine))!;
        Assert.Equal(7, Assert.Single(engine.Snapshot().Models).Batches);
    }

    [Fact]
    public async Task Timed_items_that_are_none_too_many_malformed_or_of_the_wrong_shape_are_refused_and_the_worker_serves_on()
    {
        var channel = WorkerChannel.Create(worker.ClientAddress, maxMessageMb: 64);
        using (channel)
        {
            var info = new WorkerInfo.WorkerInfoClient(channel);
            InferEachRequest Request(params (long[] Shape, float[] Values)[] items)
            {
                var request = new InferEachRequest { Name = RunningWorker.TinyClassifier };
                request.Items.AddRange(items.Select(i => new EachTensor { Shape = { i.Shape }, Values = TensorData.RawOf(i.Values) }));
                return request;
            }

            Task<RpcException> Refused(InferEachRequest request, string key = RunningWorker.Key) =>
                Assert.ThrowsAsync<RpcException>(() => info.InferEachAsync(request, WithKey(key)).ResponseAsync);

            var none = await Refused(Request());
            var tooMany = await Refused(Request(Enumerable.Range(0, WorkerInfoService.MaxEachItems + 1).Select(_ => (new long[] { 4 }, new float[] { 1, 2, 3, 4 })).ToArray()));
            var shortItem = await Refused(Request(([4], [1, 2, 3, 4]), ([4], [1, 2, 3])));
            var wrongShape = await Refused(Request(([4], [1, 2, 3, 4]), ([5], [1, 2, 3, 4, 5])));
            var path = await Refused(new InferEachRequest { Name = "../models/x.onnx", Items = { new EachTensor { Shape = { 4 }, Values = TensorData.RawOf([1f, 2, 3, 4]) } } });
            var stranger = await Refused(Request(([4], [1, 2, 3, 4])), key: "not-the-worker-key-at-all");

            Assert.All([none, tooMany, shortItem, wrongShape, path], e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
            Assert.Contains("takes 1 to 1024 items, not 0", none.Status.Detail);
            Assert.Contains("not 1025", tooMany.Status.Detail);
            Assert.Contains("Item 1 of shape [4] is not 16 bytes of FP32 (it is 12)", shortItem.Status.Detail);
            Assert.Contains("takes items of shape [4], not [5]", wrongShape.Status.Detail);
            Assert.Equal(StatusCode.Unauthenticated, stranger.StatusCode);
            Assert.DoesNotContain(worker.PortalRequests, r => r.Contains('/') || r.Contains('.')); // nothing fetched by a path

            var answer = await info.InferEachAsync(Request(([4], [1, 2, 3, 4])), WithKey()).ResponseAsync;
            Assert.Equal(Expected([1, 2, 3, 4]), TensorData.FloatsOf(Assert.Single(answer.Answers).Outputs[0].Values));
        }
    }
}
