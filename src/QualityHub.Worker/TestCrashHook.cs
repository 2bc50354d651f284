using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using QualityHub.Worker.Protocol;

namespace QualityHub.Worker;

/// <summary>
/// FOR TESTS ONLY (<c>Worker:TestCrashOnModel</c>, never set in a deployment): the worker aborts its whole process, as a
/// native crash would, when asked to run the model of that content hash. No ONNX model here crashes ONNX Runtime on
/// purpose, so the tests of the portal's crash recovery and quarantine use this stand-in; the worker logs a warning at
/// start when it is armed.
/// </summary>
public sealed class TestCrashHook(IOptions<WorkerOptions> options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var model = request switch
        {
            ModelInferRequest infer => infer.ModelName,
            InferEachRequest each => each.Name,
            _ => null,
        };
        if (model is not null && model == options.Value.TestCrashOnModel)
        {
            Environment.FailFast($"Worker:TestCrashOnModel: aborting while running model {model} (a test's stand-in for a native crash).");
        }

        return continuation(request, context);
    }
}
