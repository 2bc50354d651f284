using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace QualityHub.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster on a free loopback port, made with the newest /usr/lib/postgresql/*/bin (Debian's
/// packages) in a fresh temp folder (prefix qh-pg-) and deleted with it on stop. Trust authentication for the superuser
/// qualityhub, durability switched off. As root the server commands run as the postgres OS user (initdb refuses root).
/// Every server still running when the test process ends is stopped then, by an exit handler or, when the process is
/// killed first, by a watchdog process that outlives it.
/// </summary>
public sealed partial class PostgresTestServer : IAsyncDisposable
{
    /// <summary>The superuser initdb makes; trusted on loopback, so no password.</summary>
    public const string User = "qualityhub";

    private const string ServerUser = "postgres";

    /// <summary>
    /// The watchdog's script: it waits for end of file on its stdin, whose other end only the test process holds, so it
    /// wakes when that process is gone however it ended (dotnet test kills its test host 100 ms after the run, too soon
    /// for exit handlers). Then it stops the postmaster (SIGQUIT: immediate shutdown) and deletes the folder ($1).
    /// </summary>
    private const string WatchdogScript = """
        trap '' INT HUP TERM QUIT
        exec >/dev/null 2>&1
        read -r _
        pidfile="$1/data/postmaster.pid"
        if [ -f "$pidfile" ]; then
          kill -QUIT "$(head -n 1 "$pidfile")"
          i=0
          while [ -f "$pidfile" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
          [ -f "$pidfile" ] && kill -KILL "$(head -n 1 "$pidfile")"
        fi
        rm -rf "$1"
        """;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lock LiveGate = new();
    private static readonly HashSet<PostgresTestServer> Live = [];
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static PostgresTestServer? shared;
    private static bool exitHooked;

    private readonly string binDirectory;
    private readonly string folder;
    private readonly Process watchdog;
    private int stopped;

    private PostgresTestServer(string binDirectory, string folder, Process watchdog, int port)
    {
        this.binDirectory = binDirectory;
        this.folder = folder;
        this.watchdog = watchdog;
        Port = port;
    }

    /// <summary>Always the IPv4 loopback address: the server listens nowhere else.</summary>
    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>The cluster's folder; its data directory is data/ and the server's log server.log.</summary>
    public string FolderPath => folder;

    /// <summary>The maintenance database postgres as the superuser, unpooled (Npgsql format).</summary>
    /// <summary>How the app connects to <paramref name="database"/> on this server (the test user needs no password).</summary>
    public string ConnectionStringFor(string database) => $"Host={Host};Port={Port};Username={User};Database={database}";

    public string AdminConnectionString => $"Host={Host};Port={Port};Username={User};Database=postgres;Pooling=false";

    private string DataDirectory => Path.Combine(folder, "data");

    private string LogFile => Path.Combine(folder, "server.log");

    /// <summary>Makes a cluster and starts it; throws with the tail of the command's output and the server's log when that fails.</summary>
    public static async Task<PostgresTestServer> StartAsync()
    {
        var bin = FindBinDirectory();
        var folder = Directory.CreateTempSubdirectory("qh-pg-").FullName;
        // From here on, a test process that is killed leaves nothing behind.
        var watchdog = StartWatchdog(folder);
        try
        {
            if (AsServerUser)
            {
                await RunCheckedAsync("chown", [ServerUser + ":", folder], folder, stdin: null, asServerUser: false);
            }

            var data = Path.Combine(folder, "data");
            // --no-sync: nothing here has to survive a crash, and it halves initdb's time (about 1.1 s instead of 2.1 s here).
            string[] initdb = [Path.Combine(bin, "initdb"), "-D", data, "-U", User, "-A", "trust", "-E", "UTF8", "--no-sync"];
            var utf8 = await RunAsync(initdb[0], [.. initdb[1..], "--locale=C.UTF-8"], folder, stdin: null, asServerUser: AsServerUser, CommandTimeout);
            if (utf8.ExitCode != 0)
            {
                // initdb removes the data directory it made when it fails.
                var plain = await RunAsync(initdb[0], [.. initdb[1..], "--locale=C"], folder, stdin: null, asServerUser: AsServerUser, CommandTimeout);
                if (plain.ExitCode != 0)
                {
                    throw new InvalidOperationException($"initdb failed with locale C.UTF-8 and with C.\n{utf8.Describe()}\n{plain.Describe()}");
                }
            }

            // Another process can take the free port between our look and the server's bind; then try another.
            for (var attempt = 1; ; attempt++)
            {
                var server = new PostgresTestServer(bin, folder, watchdog, LoopbackPorts.Free());
                var start = await server.PgCtlAsync(
                    ["-D", data, "-w", "-t", "60", "-l", server.LogFile, "-o", server.ServerOptions(), "start"],
                    // pg_ctl gives up after its own -t 60 and says why; ours is only for a pg_ctl that hangs.
                    CommandTimeout + TimeSpan.FromSeconds(15));
                if (start.ExitCode == 0)
                {
                    server.Register();
                    return server;
                }

                var log = Tail(server.LogFile);
                if (attempt < 3 && log.Contains("could not bind", StringComparison.Ordinal))
                {
                    continue;
                }

                // A server that came up after pg_ctl stopped waiting must not outlive this failure.
                await server.PgCtlAsync(["-D", data, "-w", "stop", "-m", "immediate"], CommandTimeout);
                throw new InvalidOperationException(
                    $"PostgreSQL did not start on 127.0.0.1:{server.Port}: {start.Describe()}\n--- server.log (tail) ---\n{log}");
            }
        }
        catch
        {
            DeleteFolder(folder);
            EndWatchdog(watchdog);
            throw;
        }
    }

    /// <summary>
    /// One server for the whole test process, started on first use and stopped when the process ends. Tests share it,
    /// so they must not stop or dispose it; each makes its own database with <see cref="CreateDatabaseAsync"/>.
    /// </summary>
    public static async Task<PostgresTestServer> SharedAsync()
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

    /// <summary>Creates an empty database (a fresh unique name unless given one) and returns its connection string (Npgsql format).</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "qh_" + Guid.NewGuid().ToString("N");
        CheckName(name);
        await RunCheckedAsync(Path.Combine(binDirectory, "createdb"), [.. ClientOptions(), name], folder, stdin: null, asServerUser: AsServerUser);
        return $"Host={Host};Port={Port};Username={User};Database={name}";
    }

    /// <summary>Drops a database if it exists, ending any sessions still connected to it.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        CheckName(name);
        await RunCheckedAsync(Path.Combine(binDirectory, "dropdb"), [.. ClientOptions(), "--if-exists", "--force", name], folder, stdin: null, asServerUser: AsServerUser);
    }

    /// <summary>
    /// Runs SQL with psql in a database, stopping at the first error (which throws with psql's message). Returns what
    /// the statements print: rows one a line, columns separated by '|', no headers or command tags, no final newline.
    /// </summary>
    public async Task<string> PsqlAsync(string database, string sql)
    {
        string[] arguments = [.. ClientOptions(), "-d", database, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"];
        var result = await RunCheckedAsync(Path.Combine(binDirectory, "psql"), arguments, folder, sql, asServerUser: AsServerUser);
        return result.Stdout.TrimEnd('\n');
    }

    /// <summary>Stops the server (fast shutdown, immediate if that fails) and deletes its folder. Only the first call does anything.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        Unregister();
        var fast = await PgCtlAsync(["-D", DataDirectory, "-w", "-t", "60", "stop", "-m", "fast"], CommandTimeout + TimeSpan.FromSeconds(15));
        if (fast.ExitCode != 0)
        {
            var immediate = await PgCtlAsync(["-D", DataDirectory, "-w", "-t", "30", "stop", "-m", "immediate"], CommandTimeout);
            if (immediate.ExitCode != 0)
            {
                KillPostmaster();
            }
        }

        DeleteFolder(folder);
        EndWatchdog(watchdog);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Stops the server at once, as a crash or a lost host would (pg_ctl stop -m immediate); the data stays for <see cref="RestartAsync"/>.</summary>
    public async Task CrashAsync()
    {
        var immediate = await PgCtlAsync(["-D", DataDirectory, "-w", "-t", "30", "stop", "-m", "immediate"], CommandTimeout);
        if (immediate.ExitCode != 0)
        {
            KillPostmaster();
        }
    }

    /// <summary>Starts a crashed or stopped server again on the same port with the same data (it recovers from its WAL).</summary>
    public async Task RestartAsync()
    {
        var start = await PgCtlAsync(["-D", DataDirectory, "-w", "-t", "60", "-l", LogFile, "-o", ServerOptions(), "start"], CommandTimeout + TimeSpan.FromSeconds(15));
        if (start.ExitCode != 0)
        {
            throw new InvalidOperationException($"PostgreSQL did not start again on 127.0.0.1:{Port}: {start.Describe()}\n--- server.log (tail) ---\n{Tail(LogFile)}");
        }
    }

    /// <summary>What the test process does at exit for a server still running: no waiting for sessions to end.</summary>
    private void StopNow()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        // Synchronous on purpose: the process is ending. Should it be killed before this is done, the watchdog does it.
        var immediate = PgCtlAsync(["-D", DataDirectory, "-w", "-t", "30", "stop", "-m", "immediate"], CommandTimeout).GetAwaiter().GetResult();
        if (immediate.ExitCode != 0)
        {
            KillPostmaster();
        }

        DeleteFolder(folder);
        EndWatchdog(watchdog);
    }

    /// <summary>Starts the watchdog (<see cref="WatchdogScript"/>): a constant script, the folder passed as an argument.</summary>
    private static Process StartWatchdog(string folder)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", WatchdogScript, "qh-pg-watchdog", folder])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the PostgreSQL test server's watchdog.");
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

    /// <summary>The last resort when pg_ctl cannot stop it: the postmaster's pid, from the file it keeps in the data directory.</summary>
    private void KillPostmaster()
    {
        try
        {
            var pidLine = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            if (int.TryParse(pidLine, out var pid))
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                postmaster.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // No pid file or no such process: nothing left to stop.
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
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopLive();
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

    private static void StopLive()
    {
        PostgresTestServer[] left;
        lock (LiveGate)
        {
            left = [.. Live];
            Live.Clear();
        }

        foreach (var server in left)
        {
            server.StopNow();
        }
    }

    private string ServerOptions() =>
        // pg_ctl hands these to a shell, hence the quotes around the socket folder.
        $"-c listen_addresses=127.0.0.1 -p {Port} -k '{folder}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off " +
        "-c max_connections=300 -c shared_buffers=128MB";

    private string[] ClientOptions() => ["-h", Host, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", User];

    private Task<CommandResult> PgCtlAsync(string[] arguments, TimeSpan timeout) =>
        RunAsync(Path.Combine(binDirectory, "pg_ctl"), arguments, folder, stdin: null, AsServerUser, timeout);

    /// <summary>As root the server's commands run as the postgres OS user; otherwise as the current user.</summary>
    private static bool AsServerUser => Environment.IsPrivilegedProcess;

    private static string FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        var newest = (Directory.Exists(Root) ? Directory.GetDirectories(Root) : [])
            .Where(version => File.Exists(Path.Combine(version, "bin", "initdb")) && File.Exists(Path.Combine(version, "bin", "pg_ctl")))
            .Select(version => (Path: version, Number: decimal.TryParse(Path.GetFileName(version), System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : -1))
            .OrderBy(version => version.Number)
            .LastOrDefault();
        return newest.Path is null
            ? throw new InvalidOperationException($"No PostgreSQL server under {Root}/*/bin (Debian's package postgresql installs one).")
            : Path.Combine(newest.Path, "bin");
    }

    private static void CheckName(string name)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name (lower-case letters, digits and _, at most 63).", nameof(name));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();

    private static async Task<CommandResult> RunCheckedAsync(string file, string[] arguments, string workingDirectory, string? stdin, bool asServerUser)
    {
        var result = await RunAsync(file, arguments, workingDirectory, stdin, asServerUser, CommandTimeout);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.Describe());
    }

    /// <summary>Runs a command to its end with its output captured, killing it (and what it started) after <paramref name="timeout"/>.</summary>
    private static async Task<CommandResult> RunAsync(string file, string[] arguments, string workingDirectory, string? stdin, bool asServerUser, TimeSpan timeout)
    {
        string[] command = asServerUser ? ["runuser", "-u", ServerUser, "--", file, .. arguments] : [file, .. arguments];
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A folder the postgres user can enter: initdb and psql complain about a working directory they cannot read.
            WorkingDirectory = workingDirectory,
        };
        // libpq reads these; a PGHOST or PGDATABASE left in the environment must not redirect the commands.
        foreach (var variable in start.Environment.Keys.Where(key => key.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        var shown = string.Join(' ', [file, .. arguments]);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {shown}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new CommandResult(shown, -1, await stdout, await stderr + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }

        return new CommandResult(shown, process.ExitCode, await stdout, await stderr);
    }

    private static string Tail(string path, int lines = 30)
    {
        try
        {
            return string.Join('\n', File.ReadLines(path).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
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

    private sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public string Describe()
        {
            var output = new StringBuilder($"{Command} exited with {ExitCode}.");
            foreach (var (label, text) in new[] { ("stderr", Stderr), ("stdout", Stdout) })
            {
                var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length > 0)
                {
                    output.Append($"\n--- {label} (tail) ---\n").AppendJoin('\n', lines.TakeLast(30));
                }
            }

            return output.ToString();
        }
    }
}
