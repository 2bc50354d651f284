using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QualityHub.TestSupport;

/// <summary>
/// A throwaway redis-server on a free loopback port, a child process of the test process with its working folder in a
/// fresh temp folder (prefix qh-redis-) and nothing persisted. Every server still running when the test process ends
/// is killed then, by an exit handler or, when the process is killed first, by a watchdog process that outlives it.
/// </summary>
public sealed class RedisTestServer : IAsyncDisposable
{
    /// <summary>
    /// The watchdog's script: it waits for end of file on its stdin, whose other end only the test process holds, so it
    /// wakes when that process is gone however it ended (dotnet test kills its test host 100 ms after the run, too soon
    /// for exit handlers). Then it kills the server ($2, if that pid is still a redis-server) and deletes the folder ($1).
    /// </summary>
    private const string WatchdogScript = """
        trap '' INT HUP TERM QUIT
        exec >/dev/null 2>&1
        read -r _
        grep -qa redis-server "/proc/$2/cmdline" && kill -KILL "$2"
        rm -rf "$1"
        """;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lock LiveGate = new();
    private static readonly HashSet<RedisTestServer> Live = [];
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static RedisTestServer? shared;
    private static bool exitHooked;

    private readonly Process process;
    private readonly string folder;
    private readonly Queue<string> output;
    private readonly Process watchdog;
    private int stopped;

    private RedisTestServer(Process process, Queue<string> output, Process watchdog, string folder, int port)
    {
        this.process = process;
        this.output = output;
        this.watchdog = watchdog;
        this.folder = folder;
        Port = port;
    }

    /// <summary>Always the IPv4 loopback address: the server listens nowhere else.</summary>
    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>host:port, as StackExchange.Redis takes it.</summary>
    public string ConnectionString => $"{Host}:{Port}";

    /// <summary>
    /// Starts redis-server on a free port, or on <paramref name="port"/> (e.g. where a killed one listened, to bring it
    /// back), and waits until it answers PING; throws with the end of its output when it does not.
    /// </summary>
    public static async Task<RedisTestServer> StartAsync(int? port = null)
    {
        var executable = FindExecutable();
        var folder = Directory.CreateTempSubdirectory("qh-redis-").FullName;
        try
        {
            // Another process can take the free port between our look and the server's bind; then try another.
            for (var attempt = 1; ; attempt++)
            {
                var server = Launch(executable, folder, port ?? LoopbackPorts.Free());
                var failure = await server.WaitUntilReadyAsync();
                if (failure is null)
                {
                    server.Register();
                    return server;
                }

                await server.KillAsync();
                EndWatchdog(server.watchdog);
                var log = server.OutputTail();
                server.process.Dispose();
                if (port is null && attempt < 3 && log.Contains("Address already in use", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new InvalidOperationException($"redis-server did not start on 127.0.0.1:{server.Port}: {failure}\n--- output (tail) ---\n{log}");
            }
        }
        catch
        {
            DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>
    /// One server for the whole test process, started on first use and killed when the process ends. Tests share it,
    /// so they must not stop, kill or dispose it.
    /// </summary>
    public static async Task<RedisTestServer> SharedAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            // A start that failed is tried again by the next caller rather than remembered.
            return shared ??= await StartAsync();
        }
        finally
        {
            SharedGate.Release();
        }
    }

    /// <summary>Kills the server abruptly (SIGKILL), as a crash or a lost host would end it; its folder stays until <see cref="StopAsync"/>.</summary>
    public async Task KillAsync()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync();
    }

    /// <summary>Ends the server (nothing is persisted, so it is simply killed) and deletes its folder. Only the first call does anything.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        Unregister();
        await KillAsync();
        process.Dispose();
        DeleteFolder(folder);
        EndWatchdog(watchdog);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static RedisTestServer Launch(string executable, string folder, int port)
    {
        string[] arguments =
        [
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--dir", folder,
        ];
        var start = new ProcessStartInfo(executable, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        var output = new Queue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // From here on, a test process that is killed leaves nothing behind.
        return new RedisTestServer(process, output, StartWatchdog(folder, process.Id), folder, port);
    }

    /// <summary>Null once the server answers PING with PONG; otherwise why it did not within the start timeout.</summary>
    private async Task<string?> WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                return $"it exited with {process.ExitCode}.";
            }

            if (await PingAsync())
            {
                return null;
            }

            await Task.Delay(50);
        }

        return $"no PONG within {StartTimeout.TotalSeconds:0} s.";
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var reply = new byte[7];
            var read = 0;
            while (read < reply.Length)
            {
                var n = await stream.ReadAsync(reply.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return Encoding.ASCII.GetString(reply, 0, read) == "+PONG\r\n";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static void Keep(Queue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > 40)
            {
                output.Dequeue();
            }
        }
    }

    private string OutputTail()
    {
        lock (output)
        {
            return string.Join('\n', output);
        }
    }

    private void Register()
    {
        lock (LiveGate)
        {
            Live.Add(this);
            if (!exitHooked)
            {
                exitHooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillLive();
            }
        }
    }

    private void Unregister()
    {
        lock (LiveGate)
        {
            Live.Remove(this);
        }
    }

    private static void KillLive()
    {
        RedisTestServer[] left;
        lock (LiveGate)
        {
            left = [.. Live];
            Live.Clear();
        }

        foreach (var server in left)
        {
            // Synchronous on purpose: the process is ending.
            try
            {
                server.process.Kill();
                server.process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            DeleteFolder(server.folder);
            EndWatchdog(server.watchdog);
        }
    }

    /// <summary>Starts the watchdog (<see cref="WatchdogScript"/>): a constant script, the folder and pid passed as arguments.</summary>
    private static Process StartWatchdog(string folder, int pid)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", WatchdogScript, "qh-redis-watchdog", folder, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the Redis test server's watchdog.");
    }

    /// <summary>Ends a watchdog without its cleanup: the caller has stopped the server itself.</summary>
    private static void EndWatchdog(Process watchdog)
    {
        try
        {
            watchdog.Kill();
            watchdog.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        watchdog.Dispose();
    }

    private static string FindExecutable()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "redis-server"))
            .FirstOrDefault(File.Exists);
        return onPath ?? (File.Exists("/usr/bin/redis-server")
            ? "/usr/bin/redis-server"
            : throw new InvalidOperationException("No redis-server on PATH or in /usr/bin (Debian's package redis-server installs it)."));
    }

    private static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the OS's temp cleaning.
        }
    }
}
