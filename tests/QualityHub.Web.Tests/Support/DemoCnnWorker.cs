using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using QualityHub.Worker;

namespace QualityHub.Web.Tests.Support;

/// <summary>
/// A worker in the test's process on a Unix socket, its cache holding the demo CNN already (an in-memory portal has no
/// address a worker could fetch from); listed in a portal as <c>unix:{Socket}</c> with <see cref="Key"/>.
/// </summary>
internal sealed class DemoCnnWorker : IAsyncDisposable
{
    public const string Key = "web-tests-worker-key-0123456789";

    private DemoCnnWorker(WebApplication app, string socket) => (App, Socket) = (app, socket);

    public WebApplication App { get; }

    public string Socket { get; }

    public static async Task<DemoCnnWorker> StartAsync(TempFolder folder)
    {
        var cache = Directory.CreateDirectory(folder.File("cache")).FullName;
        var model = RepositoryFiles.Path("data", "demo", "models", "fashion-cnn-v1.onnx");
        File.Copy(model, Path.Combine(cache, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(model))) + ".onnx"));
        var socket = folder.File("worker.sock");
        var app = WorkerHost.Build(WorkerEndpoint.OnUnixSocket(socket), new Dictionary<string, string?>
        {
            ["Worker:Key"] = Key,
            ["Worker:CacheDirectory"] = cache,
            ["Inference:Provider"] = "Cpu",
        });
        await app.StartAsync();
        return new DemoCnnWorker(app, socket);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
