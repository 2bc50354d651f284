using Grpc.Core;
using Grpc.Net.Client;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker.Tests;

/// <summary>
/// The open inference protocol's own examples (KServe "Predict Protocol, version 2", required_api.md), sent as its
/// gRPC form gives them. A worker names models by the SHA-256 of their ONNX file and takes one FP32 input, so an example
/// either gets a correct answer or a refusal that names what is wrong with it.
/// </summary>
public sealed class ProtocolSpecificationTests : IAsyncLifetime
{
    // The model name of the specification's examples ("POST /v2/models/mymodel/infer").
    private const string SpecModel = "mymodel";

    private RunningWorker worker = null!;
    private GrpcChannel channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient client = null!;

    public Task InitializeAsync()
    {
        worker = RunningWorker.OnUnixSocket();
        channel = WorkerChannel.Create(worker.ClientAddress, maxMessageMb: 64);
        client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        channel.Dispose();
        await worker.DisposeAsync();
    }

    private static CallOptions WithKey() => new(new Metadata { { WorkerKeyInterceptor.Header, RunningWorker.Key } }, DateTime.UtcNow.AddSeconds(30));

    // "Inference Request Examples" (HTTP/REST, Inference), in its gRPC form (GRPC, Inference: ModelInferRequest with
    // typed contents). The specification's own example gives input1 one value for its shape [3]; so does this.
    private static ModelInferRequest SpecInferenceExample(string model)
    {
        var request = new ModelInferRequest { ModelName = model, Id = "42" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "input0",
            Datatype = "UINT32",
            Shape = { 2, 2 },
            Contents = new InferTensorContents { UintContents = { 1, 2, 3, 4 } },
        });
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "input1",
            Datatype = "BOOL",
            Shape = { 3 },
            Contents = new InferTensorContents { BoolContents = { true } },
        });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "output0" });
        return request;
    }

    // A request the test model answers: its one input, "pixels", FP32 [batch, 4].
    private static ModelInferRequest PixelsRequest(string id, params string[] outputs)
    {
        var request = new ModelInferRequest { ModelName = RunningWorker.TinyClassifier, Id = id };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "pixels",
            Datatype = "FP32",
            Shape = { 1, 4 },
            Contents = new InferTensorContents { Fp32Contents = { 1, 2, 3, 4 } },
        });
        request.Outputs.AddRange(outputs.Select(name => new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name }));
        return request;
    }

    private async Task<RpcException> RefusedAsync(ModelInferRequest request) =>
        await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(request, WithKey()).ResponseAsync);

    // Health ("Health": server live, server ready) and "Server Metadata": name, version and the extensions offered (none).
    [Fact]
    public async Task Server_live_ready_and_metadata_answer_as_the_specification_defines_them()
    {
        var live = await client.ServerLiveAsync(new ServerLiveRequest(), WithKey());
        var ready = await client.ServerReadyAsync(new ServerReadyRequest(), WithKey());
        var metadata = await client.ServerMetadataAsync(new ServerMetadataRequest(), WithKey());

        Assert.True(live.Live);
        Assert.True(ready.Ready);
        Assert.Equal(InferenceProtocolService.ServerName, metadata.Name);
        Assert.False(string.IsNullOrEmpty(metadata.Version));
        Assert.Empty(metadata.Extensions);
    }

    // "Model Ready" and "Model Metadata" (GET v2/models/mymodel/ready, GET v2/models/mymodel).
    [Fact]
    public async Task The_specifications_model_name_is_not_ready_and_its_metadata_is_refused_as_no_content_hash()
    {
        var ready = await client.ModelReadyAsync(new ModelReadyRequest { Name = SpecModel }, WithKey());
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.ModelMetadataAsync(new ModelMetadataRequest { Name = SpecModel }, WithKey()).ResponseAsync);

        Assert.False(ready.Ready);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("SHA-256", refused.Status.Detail);
        Assert.Empty(worker.PortalRequests);
    }

    // "Model Metadata" for a model the worker has: $metadata_model_response's name, versions, platform, inputs, outputs.
    [Fact]
    public async Task Model_metadata_for_a_content_hash_names_the_model_its_version_platform_and_tensors()
    {
        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = RunningWorker.TinyClassifier }, WithKey());

        Assert.Equal(RunningWorker.TinyClassifier, metadata.Name);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal(InferenceProtocolService.Platform, metadata.Platform);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("pixels", "FP32"), (input.Name, input.Datatype));
        Assert.Equal(new long[] { -1, 4 }, input.Shape);
        var output = Assert.Single(metadata.Outputs);
        Assert.Equal(("logits", "FP32"), (output.Name, output.Datatype));
        Assert.Equal(new long[] { -1, 3 }, output.Shape);
    }

    // "Inference Request Examples", as written: model "mymodel".
    [Fact]
    public async Task The_specifications_inference_example_is_refused_because_mymodel_is_no_content_hash()
    {
        var refused = await RefusedAsync(SpecInferenceExample(SpecModel));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("SHA-256 of its ONNX file", refused.Status.Detail);
        Assert.Empty(worker.PortalRequests);
    }

    // "Inference Request Examples" sent to a model the worker has: two inputs where the model takes one.
    [Fact]
    public async Task The_specifications_two_inputs_are_refused_naming_the_one_input_the_model_takes()
    {
        var refused = await RefusedAsync(SpecInferenceExample(RunningWorker.TinyClassifier));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("The model takes one input, 'pixels' (FP32 [-1, 4]); the request has 2.", refused.Status.Detail);
    }

    // "Inference Request Examples", input0 alone: the model's input has another name.
    [Fact]
    public async Task The_specifications_input0_alone_is_refused_naming_the_models_input()
    {
        var request = SpecInferenceExample(RunningWorker.TinyClassifier);
        request.Inputs.RemoveAt(1);

        var refused = await RefusedAsync(request);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("The model's input is 'pixels', not 'input0'.", refused.Status.Detail);
    }

    // "Inference Request Examples", input0 under the model's input name: UINT32 ("Tensor Data Types") where it takes FP32.
    [Fact]
    public async Task The_specifications_uint32_data_is_refused_naming_both_data_types()
    {
        var request = SpecInferenceExample(RunningWorker.TinyClassifier);
        request.Inputs.RemoveAt(1);
        request.Inputs[0].Name = "pixels";

        var refused = await RefusedAsync(request);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("Input 'pixels' is FP32, not 'UINT32'.", refused.Status.Detail);
    }

    // "Inference Request Examples": outputs [{ "name": "output0" }]; the model has no such output.
    [Fact]
    public async Task A_requested_output_the_model_does_not_have_is_refused_by_its_name()
    {
        var refused = await RefusedAsync(PixelsRequest("42", "output0"));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("The model has no output 'output0'; it has 'logits'.", refused.Status.Detail);
    }

    // "Inference Request Examples" and its response: the request's id comes back, with the output asked for.
    [Fact]
    public async Task A_request_the_model_takes_answers_with_its_id_and_the_output_asked_for()
    {
        var response = await client.ModelInferAsync(PixelsRequest("42", "logits"), WithKey());

        Assert.Equal("42", response.Id);
        Assert.Equal(RunningWorker.TinyClassifier, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("logits", "FP32"), (output.Name, output.Datatype));
        Assert.Equal(new long[] { 1, 3 }, output.Shape);
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, WorkerClient.Read(response).Outputs[0].Data);
    }

    // "Inference Request JSON Object": outputs is optional; without it every output is returned, and so is the id.
    [Fact]
    public async Task Without_outputs_asked_for_every_output_is_returned_and_the_id_still_comes_back()
    {
        var response = await client.ModelInferAsync(PixelsRequest("spec-no-outputs"), WithKey());

        Assert.Equal("spec-no-outputs", response.Id);
        Assert.Equal(["logits"], response.Outputs.Select(o => o.Name));
        Assert.Equal(new[] { 5.5f, 6f, 6.5f }, WorkerClient.Read(response).Outputs[0].Data);
    }
}
