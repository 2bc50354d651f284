using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace QualityHub.BrowserTests.Support;

/// <summary>A `qualityhub worker` process on a Unix socket, fetching models from a portal; killed or stopped by the test.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private WorkerProcess(Process process, string socket)
    {
        this.process = process;
        Socket = socket;
    }

    public string Socket { get; }

    public string Address => $"unix:{Socket}";

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts a worker in <paramref name="folder"/> (its socket, key file and model cache) for the portal at <paramref name="portalUrl"/>.</summary>
    public static WorkerProcess Start(string folder, string portalUrl, string key, params string[] settings)
    {
        Directory.CreateDirectory(folder);
        var keyFile = Path.Combine(folder, "worker.key");
        File.WriteAllText(keyFile, key);
        var socket = Path.Combine(folder, "worker.sock");
        var info = new ProcessStartInfo(CliExecutable, ["worker", "--socket", socket, "--portal", portalUrl, "--key-file", keyFile, "--cache", Path.Combine(folder, "cache"), "--Inference:Provider=Cpu", .. settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var worker = new WorkerProcess(new Process { StartInfo = info }, socket);
        worker.process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        worker.process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        worker.process.Start();
        worker.process.BeginOutputReadLine();
        worker.process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits until the worker says it listens.</summary>
    public async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Output.Contains("worker listening on", StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, $"the worker ended before listening:\n{Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the worker did not listen within a minute:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Ends the worker at once, as a native crash or an out-of-memory kill would (SIGKILL).</summary>
    public void Kill()
    {
        process.Kill();
        process.WaitForExit();
    }

    public bool HasExited => process.HasExited;

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string CliExecutable
    {
        get
        {
            var configuration = typeof(WorkerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var folder = RepositoryFiles.Path("src", "QualityHub.Cli", "bin", configuration);
            return Directory.EnumerateFiles(folder, "qualityhub", SearchOption.AllDirectories).FirstOrDefault()
                ?? throw new FileNotFoundException($"qualityhub was not built under {folder}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
