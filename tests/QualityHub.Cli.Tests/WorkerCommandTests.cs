using System.Security.Cryptography;
using QualityHub.Worker;

namespace QualityHub.Cli.Tests;

/// <summary><c>qualityhub worker</c>: serves the engine over the open inference protocol until stopped; refuses what cannot work.</summary>
public sealed class WorkerCommandTests : IDisposable
{
    private const string Key = "cli-worker-key-0123456789";
    private readonly TempFolder temp = new("qualityhub-cli-worker-");

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error, cancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    // A worker cache holding the tiny classifier under its content hash, as a fetch would have left it.
    private async Task<(string Cache, string Name)> CacheTinyClassifierAsync()
    {
        var model = RepositoryFiles.Path("tests", "QualityHub.Inference.Tests", "Models", "tiny-classifier.onnx");
        var name = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(model)));
        var cache = Directory.CreateDirectory(temp.File("cache")).FullName;
        File.Copy(model, Path.Combine(cache, name + ".onnx"));
        return (cache, name);
    }

    [Fact]
    public async Task A_worker_serves_its_cached_models_on_a_unix_socket_until_stopped()
    {
        var (cache, name) = await CacheTinyClassifierAsync();
        await File.WriteAllTextAsync(temp.File("key"), Key + "\n");
        var socket = temp.File("worker.sock");
        using var stop = new CancellationTokenSource();

        var running = RunAsync(["worker", "--socket", socket, "--key-file", temp.File("key"), "--cache", cache, "--Inference:Provider=Cpu"], stop.Token);
        for (var waited = 0; !File.Exists(socket) && !running.IsCompleted && waited < 300; waited++)
        {
            await Task.Delay(100);
        }

        using (var client = new WorkerClient($"unix:{socket}", Key))
        {
            var described = await client.DescribeAsync(TimeSpan.FromSeconds(30));
            var answer = await client.InferAsync(name, "pixels", [1, 2, 3, 4], [1, 4], TimeSpan.FromSeconds(30));

            Assert.Equal(WorkerOptions.Protocol, described.Protocol);
            Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer.Outputs[0].Data);
        }

        await stop.CancelAsync();
        var (exitCode, output, error) = await running;

        Assert.Equal(0, exitCode);
        Assert.Contains($"worker listening on unix:{socket}", output);
        Assert.Equal("", error);
        Assert.False(File.Exists(socket));
    }

    [Fact]
    public async Task With_certificate_files_the_worker_serves_mutual_TLS_on_its_port_to_the_portal_alone()
    {
        using var certificates = new TestCertificates();
        var (cache, name) = await CacheTinyClassifierAsync();
        await File.WriteAllTextAsync(temp.File("key"), Key);
        var port = LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();

        var running = RunAsync(["worker", "--listen", $"127.0.0.1:{port}", "--key-file", temp.File("key"), "--cache", cache, "--Inference:Provider=Cpu",
            "--tls-cert", certificates.Worker.Certificate, "--tls-key", certificates.Worker.Key, "--client-ca", certificates.Ca], stop.Token);
        var portal = WorkerTlsClient.Load(new PortalTlsOptions { Ca = certificates.Ca, Certificate = certificates.Portal.Certificate, Key = certificates.Portal.Key });
        var anonymous = WorkerTlsClient.Load(new PortalTlsOptions { Ca = certificates.Ca });
        using (var client = new WorkerClient($"https://127.0.0.1:{port}", Key, tls: portal))
        using (var stranger = new WorkerClient($"https://127.0.0.1:{port}", Key, tls: anonymous))
        {
            float[]? answer = null;
            for (var waited = 0; answer is null && !running.IsCompleted && waited < 300; waited++)
            {
                try
                {
                    answer = (await client.InferAsync(name, "pixels", [1, 2, 3, 4], [1, 4], TimeSpan.FromSeconds(30))).Outputs[0].Data;
                }
                catch (WorkerException e) when (e.WorkerUnavailable)
                {
                    await Task.Delay(100); // not listening yet
                }
            }

            Assert.Equal(new[] { 5.5f, 6f, 6.5f }, answer);
            var refused = await Assert.ThrowsAsync<WorkerException>(() => stranger.InferAsync(name, "pixels", [1, 2, 3, 4], [1, 4], TimeSpan.FromSeconds(30)));
            Assert.Contains("check Inference:WorkerTls:Certificate and Key", refused.Message);
        }

        await stop.CancelAsync();
        var (exitCode, output, error) = await running;

        Assert.Equal(0, exitCode);
        Assert.Contains($"worker listening on 127.0.0.1:{port}", output);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task A_certificate_file_that_is_not_there_stops_the_worker_naming_it()
    {
        await File.WriteAllTextAsync(temp.File("key"), Key);

        var (exitCode, _, error) = await RunAsync(["worker", "--listen", $"127.0.0.1:{LoopbackPorts.Free()}", "--key-file", temp.File("key"),
            "--tls-cert", temp.File("nowhere.pem"), "--tls-key", temp.File("nowhere.key")]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Worker:Tls: the certificate '{temp.File("nowhere.pem")}' with the key '{temp.File("nowhere.key")}' cannot be used", error);
    }

    [Fact]
    public async Task Without_a_key_the_worker_does_not_start()
    {
        var (exitCode, _, error) = await RunAsync(["worker", "--socket", temp.File("w.sock")]);

        Assert.Equal(1, exitCode);
        Assert.Contains("Worker:Key must be at least 16 characters", error);
        Assert.False(File.Exists(temp.File("w.sock")));
    }

    [Theory]
    [InlineData("Give one of --listen HOST:PORT and --socket PATH", "worker")]
    [InlineData("Give one of --listen HOST:PORT and --socket PATH", "worker", "--listen", "127.0.0.1:7070", "--socket", "/tmp/x.sock")]
    [InlineData("--listen takes an IP address and a port", "worker", "--listen", "localhost:7070")]
    [InlineData("--listen takes an IP address and a port", "worker", "--listen", "127.0.0.1:99999")]
    [InlineData("The key file '/nonexistent/key' does not exist", "worker", "--listen", "127.0.0.1:7070", "--key-file", "/nonexistent/key")]
    public async Task A_command_line_that_cannot_work_is_refused_with_the_usage(string expected, params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error);
        Assert.Contains("usage: qualityhub worker", error);
    }

    public void Dispose() => temp.Dispose();
}
