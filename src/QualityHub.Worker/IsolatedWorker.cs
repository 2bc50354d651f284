using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QualityHub.Worker;

/// <summary>
/// How the portal starts its own worker: the program that serves on a Unix socket (<c>{FileName} {Arguments…} {socket
/// path}</c>), and the portal's content store it reads models from.
/// </summary>
public sealed record IsolatedWorkerLaunch(string FileName, IReadOnlyList<string> Arguments, string StoreDirectory);

/// <summary>The portal's own worker as the engine panel shows it.</summary>
public sealed record IsolatedWorkerState(
    int? ProcessId, bool Serving, int Starts, long? MemoryLimitBytes, string? LastExit, DateTimeOffset? LastExitAt, DateTimeOffset? NextStartAt);

/// <summary>
/// <c>Inference:Isolation=process</c>: the portal's models run in a worker process of its own, started here on a Unix
/// socket, reading models from the portal's content store. When the worker dies — a native crash, an out-of-memory
/// kill, its memory limit (<c>Inference:WorkerMemoryMb</c>, the operating system's data size limit) — the portal keeps
/// serving: the calls in flight fail with the exit's reason, and the worker is started again after a pause that doubles
/// from one second up to thirty while it keeps dying (and starts over once it has served a minute). The worker ends
/// itself when the portal's end of its standard input closes, so it does not outlive a portal that was killed.
/// </summary>
public sealed partial class IsolatedWorker : BackgroundService
{
    /// <summary>The first argument that makes the web app's program a worker for its parent portal.</summary>
    public const string ChildFlag = "--qualityhub-isolated-worker";

    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

    private readonly PortalWorkerOptions settings;
    private readonly IsolatedWorkerLaunch command;
    private readonly IConfiguration configuration;
    private readonly TimeProvider time;
    private readonly ILogger<IsolatedWorker> logger;
    private readonly string folder;
    private readonly Lock sync = new();
    private readonly Queue<string> lastErrors = new();
    private TaskCompletionSource<string> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource serving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? process;
    private Task? stopping;
    private int generation;
    private string? lastExit;
    private DateTimeOffset? lastExitAt;
    private DateTimeOffset? nextStartAt;
    private bool isServing;

    public IsolatedWorker(
        IOptions<PortalWorkerOptions> options, IsolatedWorkerLaunch command, IConfiguration configuration, TimeProvider time,
        ILogger<IsolatedWorker> logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException($"Inference:Isolation={PortalWorkerOptions.IsolationProcess} needs Linux.");
        }

        settings = options.Value;
        this.command = command;
        this.configuration = configuration;
        this.time = time;
        this.logger = logger;
        // A Unix socket's path is short (108 bytes): a folder of its own under the temporary directory, readable by this user only.
        SweepFoldersOfGonePortals();
        folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Key = settings.ResolveKey() ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Address = $"unix:{Path.Combine(folder, "worker.sock")}";
    }

    private const string FolderPrefix = "qualityhub-";

    // A portal that was killed (SIGKILL, a power cut) leaves its folder and socket behind: swept once its process is gone.
    // Only folders named as this class names them (prefix, a process id, eight hexadecimal digits) are touched.
    private static void SweepFoldersOfGonePortals()
    {
        foreach (var path in Directory.EnumerateDirectories(Path.GetTempPath(), $"{FolderPrefix}*"))
        {
            var parts = Path.GetFileName(path)[FolderPrefix.Length..].Split('-');
            if (parts is [var pid, var tag] && int.TryParse(pid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                && tag.Length == 8 && tag.All(char.IsAsciiHexDigitLower) && id != Environment.ProcessId && !Directory.Exists($"/proc/{id}"))
            {
                try
                {
                    Directory.Delete(path, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // another user's, or going away already
                }
            }
        }
    }

    /// <summary>Where the portal reaches its worker.</summary>
    public string Address { get; }

    /// <summary>The key the worker is started with: the configured one, else one made for this portal's life.</summary>
    public string Key { get; }

    /// <summary>The worker process now; it changes each time the worker is started again.</summary>
    public int Generation => Volatile.Read(ref generation);

    /// <summary>True while the worker process runs and has answered since it started.</summary>
    public bool IsServing
    {
        get
        {
            lock (sync)
            {
                return isServing;
            }
        }
    }

    public IsolatedWorkerState State
    {
        get
        {
            lock (sync)
            {
                int? pid = null;
                try
                {
                    pid = process is { HasExited: false } p ? p.Id : null;
                }
                catch (InvalidOperationException)
                {
                    // not started
                }

                return new IsolatedWorkerState(pid, isServing, generation, MemoryLimitBytes, lastExit, lastExitAt, nextStartAt);
            }
        }
    }

    private long? MemoryLimitBytes => settings.WorkerMemoryMb > 0 ? settings.WorkerMemoryMb * 1024L * 1024 : null;

    /// <summary>Completes when the worker answers (the current start's).</summary>
    public Task WaitUntilServingAsync(CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            return serving.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Why the worker of <paramref name="ofGeneration"/> ended, when it has ended or ends within
    /// <paramref name="wait"/>; else null (it is still running: the call failed for another reason).
    /// </summary>
    public async Task<string?> ExitReasonAsync(int ofGeneration, TimeSpan wait)
    {
        Task<string> exit;
        lock (sync)
        {
            if (ofGeneration != generation)
            {
                return lastExit; // it ended and was started again since
            }

            exit = exited.Task;
        }

        try
        {
            return await exit.WaitAsync(wait, time);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var startedAt = time.GetTimestamp();
            Process child;
            try
            {
                child = Start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
            {
                Ended($"the worker could not be started: {e.Message}");
                await PauseAsync(pause, stoppingToken);
                pause = Longer(pause);
                continue;
            }

            _ = AnnounceWhenServingAsync(child, Generation, stoppingToken);
            try
            {
                await child.WaitForExitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Ended(ExitReason(child));
            pause = time.GetElapsedTime(startedAt) >= StableAfter ? TimeSpan.FromSeconds(1) : pause;
            await PauseAsync(pause, stoppingToken);
            pause = Longer(pause);
        }
    }

    // The host may be stopped twice at once (a test host's owner and the app's own wait for shutdown both stop it):
    // both callers wait for the one stop, which alone ends and disposes the child.
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (sync)
        {
            return stopping ??= Task.Run(() => StopOnceAsync(cancellationToken), CancellationToken.None);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Process? child;
        lock (sync)
        {
            child = process;
        }

        if (child is not null)
        {
            await StopChildAsync(child);
            child.Dispose();
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // a socket still being closed; the temporary folder is swept by the system
        }
    }

    // Closing its standard input asks the worker to stop; one that has not after five seconds is killed.
    private static async Task StopChildAsync(Process child)
    {
        try
        {
            if (child.HasExited)
            {
                return;
            }

            child.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await child.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                child.Kill(entireProcessTree: true);
                using var killed = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await child.WaitForExitAsync(killed.Token); // reaped: no process of ours outlives the portal's stop
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                // it ended meanwhile, or the kernel has not let it go yet (nothing more a stop can do)
            }
        }
        catch (InvalidOperationException)
        {
            // it was never started
        }
    }

    private Process Start()
    {
        var socket = Address["unix:".Length..];
        var info = new ProcessStartInfo
        {
            WorkingDirectory = folder, // not the portal's: no appsettings.json of the portal's (its Kestrel endpoints) applies
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (MemoryLimitBytes is { } limit)
        {
            // The shell sets the data size limit (KiB) and becomes the worker: the limit holds from its first allocation.
            info.FileName = "/bin/sh";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("ulimit -d \"$1\" || exit 70; shift; exec \"$@\"");
            info.ArgumentList.Add("qualityhub-worker");
            info.ArgumentList.Add((limit / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.ArgumentList.Add(command.FileName);
        }
        else
        {
            info.FileName = command.FileName;
        }

        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(socket);
        Configure(info.Environment);

        lock (sync)
        {
            exited = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lastErrors.Clear();
            (isServing, nextStartAt) = (false, null);
            generation++;
            process?.Dispose();
            process = new Process { StartInfo = info, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) => Relay(e.Data, error: false);
            process.ErrorDataReceived += (_, e) => Relay(e.Data, error: true);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            LogStarting(process.Id, Address, settings.WorkerMemoryMb);
            return process;
        }
    }

    // The worker's settings: the portal's inference settings (provider, threads, batching, budget), its key, its store.
    private void Configure(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.ToList())
        {
            // Whatever would make the worker listen where the portal does, or carry settings meant for the portal only.
            if (name.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || name.Equals("URLS", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Inference__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Worker__", StringComparison.OrdinalIgnoreCase) || name == PortalWorkerOptions.KeyVariable)
            {
                environment.Remove(name);
            }
        }

        foreach (var (name, value) in configuration.GetSection("Inference").AsEnumerable(makePathsRelative: true))
        {
            if (value is not null && !name.StartsWith("Worker", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("Isolation", StringComparison.OrdinalIgnoreCase))
            {
                environment[$"Inference__{name.Replace(":", "__", StringComparison.Ordinal)}"] = value;
            }
        }

        foreach (var (name, value) in configuration.GetSection(WorkerOptions.SectionName).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                environment[$"Worker__{name.Replace(":", "__", StringComparison.Ordinal)}"] = value; // e.g. the test-only crash hook
            }
        }

        environment["Worker__Key"] = Key;
        environment["Worker__StoreDirectory"] = command.StoreDirectory;
        environment["Worker__CacheDirectory"] = Path.Combine(folder, "models");
        environment["DOTNET_gcServer"] = "0"; // one small heap: a worker's memory is its models'
    }

    private async Task AnnounceWhenServingAsync(Process child, int ofGeneration, CancellationToken stoppingToken)
    {
        using var client = new WorkerClient(Address, Key);
        var deadline = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested && !child.HasExited && time.GetElapsedTime(deadline) < TimeSpan.FromMinutes(2))
        {
            try
            {
                await client.DescribeAsync(TimeSpan.FromSeconds(5), stoppingToken);
                if (ofGeneration != Generation)
                {
                    return;
                }

                LogServing(child.Id);
                lock (sync)
                {
                    isServing = ofGeneration == generation;
                    serving.TrySetResult();
                }

                return;
            }
            catch (WorkerException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Ended(string reason)
    {
        lock (sync)
        {
            (isServing, lastExit, lastExitAt) = (false, reason, time.GetUtcNow());
            exited.TrySetResult(reason);
            if (serving.Task.IsCompleted)
            {
                serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // waiters now wait for the next start
            }
        }

        LogExited(reason);
    }

    private string ExitReason(Process child)
    {
        var code = child.ExitCode;
        // A process ended by a signal reports 128 + the signal's number.
        var what = code switch
        {
            134 => "it aborted (SIGABRT: a native crash or a failed assertion)",
            137 => "it was killed (SIGKILL: the out-of-memory killer, or someone ended it)",
            139 => "it crashed (SIGSEGV: a native crash)",
            70 => "its memory limit could not be set",
            _ when code > 128 && code < 160 => $"it was ended by signal {code - 128}",
            _ => $"it exited with code {code}",
        };
        string[] errors;
        lock (sync)
        {
            errors = [.. lastErrors];
        }

        var said = errors.Length > 0 ? $"; its last words: {string.Join(" ", errors)}" : "";
        var limit = MemoryLimitBytes is not null ? $" (memory limit {settings.WorkerMemoryMb} MiB)" : "";
        return $"The isolated worker process {child.Id} stopped: {what}{limit}{said}";
    }

    private void Relay(string? line, bool error)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        // A stack trace's frames say nothing a reader of the reason needs; the line before them does.
        var trimmed = line.TrimStart();
        var frame = trimmed.StartsWith("at ", StringComparison.Ordinal) || trimmed.StartsWith("---", StringComparison.Ordinal);
        var serious = !frame && (error || line.StartsWith("fail", StringComparison.Ordinal) || line.StartsWith("crit", StringComparison.Ordinal)
            || line.Contains("Unhandled", StringComparison.Ordinal) || line.Contains("Process terminated", StringComparison.Ordinal));
        if (serious)
        {
            lock (sync)
            {
                lastErrors.Enqueue(line.Length > 300 ? line[..300] : line.Trim());
                while (lastErrors.Count > 3)
                {
                    lastErrors.Dequeue();
                }
            }
        }

        if (serious || frame || line.StartsWith("warn", StringComparison.Ordinal))
        {
            LogWorkerWarned(line);
        }
        else
        {
            LogWorkerSaid(line);
        }
    }

    private async Task PauseAsync(TimeSpan pause, CancellationToken stoppingToken)
    {
        lock (sync)
        {
            nextStartAt = time.GetUtcNow() + pause;
        }

        LogPause(pause.TotalSeconds);
        try
        {
            await Task.Delay(pause, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private static TimeSpan Longer(TimeSpan pause) => pause * 2 > LongestPause ? LongestPause : pause * 2;

    public override void Dispose()
    {
        lock (sync)
        {
            process?.Dispose();
        }

        base.Dispose();
    }

    /// <summary>
    /// The child's side: a worker on <paramref name="socket"/> with its settings from the environment, until its
    /// standard input closes (the portal stopped it, or the portal is gone).
    /// </summary>
    public static async Task<int> RunChildAsync(string socket)
    {
        WebApplication app;
        try
        {
            app = WorkerHost.Build(WorkerEndpoint.OnUnixSocket(socket), [], logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        await using (app)
        {
            await app.StartAsync();
            _ = Task.Run(async () =>
            {
                // Reads until the portal's end closes; nothing is expected on it.
                while (await Console.In.ReadLineAsync() is not null)
                {
                }

                await app.StopAsync();
            });
            await app.WaitForShutdownAsync();
        }

        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting the isolated worker, process {Pid}, on {Address} (memory limit {LimitMb} MiB, 0: none)")]
    private partial void LogStarting(int pid, string address, int limitMb);

    [LoggerMessage(Level = LogLevel.Information, Message = "The isolated worker, process {Pid}, is serving")]
    private partial void LogServing(int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason}")]
    private partial void LogExited(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The isolated worker starts again in {Seconds} s")]
    private partial void LogPause(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "isolated worker: {Line}")]
    private partial void LogWorkerWarned(string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "isolated worker: {Line}")]
    private partial void LogWorkerSaid(string line);
}
