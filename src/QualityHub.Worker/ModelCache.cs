using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker;

/// <summary>
/// The models a worker holds, one file per content hash. A model is named by the SHA-256 of its ONNX file and nothing
/// else — a request never names a path — and fetched once from the portal, checked against that hash while it streams
/// in, and only then moved into the cache; two requests for a model not yet here share one fetch.
/// </summary>
public sealed partial class ModelCache(IOptions<WorkerOptions> options, HttpClient portal, ILogger<ModelCache> logger)
{
    private readonly WorkerOptions settings = options.Value;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> fetches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> checkedInStore = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="name"/> is a content hash as models are named: 64 lower-case hexadecimal digits.</summary>
    public static bool IsModelName(string? name) =>
        name is { Length: 64 } && name.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>The engine's description of the model named <paramref name="name"/>, fetched first when it is not here.</summary>
    public async Task<ModelSpec> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (!IsModelName(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                "A model is named by the SHA-256 of its ONNX file (64 lower-case hexadecimal digits); a worker reads nothing else."));
        }

        var path = PathOf(name);
        if (!File.Exists(path) && settings.StoreDirectory is { Length: > 0 }
            && await checkedInStore.GetOrAdd(name, n => new Lazy<Task<string?>>(() => CheckInStoreAsync(n))).Value.WaitAsync(cancellationToken) is { } stored)
        {
            return new ModelSpec(name, stored, name[..12]);
        }

        if (!File.Exists(path))
        {
            var fetch = fetches.GetOrAdd(name, n => new Lazy<Task<string>>(() => FetchAsync(n)));
            try
            {
                await fetch.Value.WaitAsync(cancellationToken);
            }
            finally
            {
                if (fetch.Value.IsCompleted)
                {
                    fetches.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(name, fetch));
                }
            }
        }

        return new ModelSpec(name, path, name[..12]);
    }

    /// <summary>True when the model's file is in the cache.</summary>
    public bool Holds(string name) => IsModelName(name) && File.Exists(PathOf(name));

    private string PathOf(string name) => Path.Combine(settings.CacheDirectory, name + ".onnx");

    // The model's file in the local store when it is there and its content is what its name says; else null (then fetched).
    private async Task<string?> CheckInStoreAsync(string name)
    {
        var path = Path.Combine(settings.StoreDirectory!, name[..2], name[2..]);
        if (!File.Exists(path))
        {
            checkedInStore.TryRemove(name, out _); // it may be stored later
            return null;
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
        if (actual != name)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, $"The store's file for model {name} has the SHA-256 {actual}; it is not used."));
        }

        return path;
    }

    private async Task<string> FetchAsync(string name)
    {
        if (string.IsNullOrEmpty(settings.PortalUrl))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Model {name} is not on this worker, and no portal is configured to fetch it from (Worker:PortalUrl)."));
        }

        Directory.CreateDirectory(settings.CacheDirectory);
        var partial = Path.Combine(settings.CacheDirectory, $"{name}.{Guid.NewGuid():N}.partial");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(settings.PortalUrl.TrimEnd('/') + "/"), $"worker/models/{name}"));
            request.Headers.Add(WorkerKeyInterceptor.Header, settings.Key);
            using var response = await SendAsync(request, name);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"The portal has no model {name}."));
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"The portal answered {(int)response.StatusCode} {response.ReasonPhrase} for model {name}."));
            }

            var limit = (long)settings.MaxModelMb * 1024 * 1024;
            if (response.Content.Headers.ContentLength > limit)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Model {name} is {response.Content.Headers.ContentLength} bytes, more than this worker's limit of {settings.MaxModelMb} MiB (Worker:MaxModelMb)."));
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var source = await response.Content.ReadAsStreamAsync())
            await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer)) > 0)
                {
                    length += read;
                    if (length > limit)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Model {name} is more than this worker's limit of {settings.MaxModelMb} MiB (Worker:MaxModelMb)."));
                    }

                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read));
                }

                await target.FlushAsync();
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != name)
            {
                throw new RpcException(new Status(StatusCode.DataLoss, $"The portal sent {length} bytes for model {name} whose SHA-256 is {actual}; nothing was kept."));
            }

            File.Move(partial, PathOf(name), overwrite: true);
            LogFetched(name, length / 1024.0 / 1024.0, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return PathOf(name);
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string name)
    {
        try
        {
            return await portal.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The portal at {settings.PortalUrl} could not be reached for model {name}: {e.Message}"));
        }
        catch (TaskCanceledException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The portal at {settings.PortalUrl} did not answer in time for model {name}."));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched model {Name} from the portal: {SizeMb:F1} MiB in {Ms:F0} ms, SHA-256 checked")]
    private partial void LogFetched(string name, double sizeMb, double ms);
}
