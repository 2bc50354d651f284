using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace QualityHub.Worker;

/// <summary>
/// Only the portal may call a worker: every call carries the shared key in the <see cref="Header"/> metadata, compared
/// in constant time. A call without it, or with another, ends as Unauthenticated before it reaches the engine.
/// </summary>
public sealed class WorkerKeyInterceptor(IOptions<WorkerOptions> options) : Interceptor
{
    public const string Header = "x-qualityhub-worker-key";

    private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Key));

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    private void Check(ServerCallContext context)
    {
        var presented = context.RequestHeaders.Get(Header)?.Value;
        if (presented is null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"This worker answers its portal only: the call carries no {Header}."));
        }

        if (!Matches(presented))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The worker key does not match."));
        }
    }

    /// <summary>True when <paramref name="presented"/> is the shared key (hashed first, so the comparison's time says nothing about it).</summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);

    /// <summary>The same comparison for a key held elsewhere (the portal's side).</summary>
    public static bool KeyMatches(string presented, string key) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
