using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace QualityHub.BrowserTests.Support;

/// <summary>
/// The built QualityHub.Web app started as its own process, listening on 127.0.0.1 on a port the OS picks,
/// with a data folder of its own. Disposing stops the process (ours, by its id) and deletes the folder.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly TaskCompletionSource<string> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process) => this.process = process;

    public required string DataDirectory { get; init; }

    public string BaseUrl => listening.Task.IsCompletedSuccessfully ? listening.Task.Result : throw new InvalidOperationException("The app is not listening.");

    public string DatabasePath => Path.Combine(DataDirectory, "qualityhub.db");

    public string Output { get { lock (output) { return output.ToString(); } } }

    public string Errors { get { lock (errors) { return errors.ToString(); } } }

    public bool HasExited => process.HasExited;

    /// <summary>The operating system's id of the app's process (the last part of its evaluation leases' owner name).</summary>
    public int ProcessId => process.Id;

    /// <summary>The server's resident memory now (VmRSS), in MiB.</summary>
    public double ResidentMiB()
    {
        var status = File.ReadAllText($"/proc/{process.Id}/status");
        var line = status.Split('\n').Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }

    public int ExitCode => process.ExitCode;

    /// <summary>The admin the app creates on first start (QUALITYHUB_ADMIN_EMAIL / _PASSWORD) and its API key (QUALITYHUB_API_KEY).</summary>
    public const string AdminEmail = "admin@qualityhub.test";
    public const string AdminPassword = "Browser-tests-2026";
    public const string AdminKey = "browser-tests-admin-key-2026";

    /// <summary>A client for the app's API that sends the admin key.</summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }

    /// <summary>Starts the app; <paramref name="urls"/> defaults to a free loopback port; <paramref name="environment"/> adds or overrides settings.</summary>
    public static AppProcess Start(string? dataDirectory = null, string urls = "http://127.0.0.1:0", IReadOnlyDictionary<string, string>? environment = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("qualityhub-browser-").FullName;
        var info = new ProcessStartInfo(WebExecutable, ["--urls", urls])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // As `dotnet run` starts it (launchSettings.json): the build's static-asset manifest serves blazor.web.js.
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Storage__DataDirectory"] = dataDirectory;
        info.Environment["QUALITYHUB_ADMIN_EMAIL"] = AdminEmail;
        info.Environment["QUALITYHUB_ADMIN_PASSWORD"] = AdminPassword;
        info.Environment["QUALITYHUB_API_KEY"] = AdminKey;
        // Every browser context of the suite signs in from 127.0.0.1; the per-address limit has tests of its own.
        info.Environment["Security__SignInAttemptsPerMinute"] = "600";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        // "Request finished … - 499 - …": what the server did with each request, even one whose client is gone.
        info.Environment["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var app = new AppProcess(new Process { StartInfo = info, EnableRaisingEvents = true }) { DataDirectory = dataDirectory };
        app.process.OutputDataReceived += (_, e) => app.OnOutput(e.Data);
        app.process.ErrorDataReceived += (_, e) => app.OnError(e.Data);
        app.process.Exited += (_, _) => app.listening.TrySetException(new InvalidOperationException($"The app exited before listening:\n{app.Errors}\n{app.Output}"));
        app.process.Start();
        app.process.BeginOutputReadLine();
        app.process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Ends the app at once, as a crash or an out-of-memory kill would (SIGKILL: no shutdown of any kind).</summary>
    public void Kill()
    {
        process.Kill();
        process.WaitForExit();
    }

    /// <summary>Waits until the app says where it listens.</summary>
    public async Task<string> WaitUntilListeningAsync(TimeSpan? timeout = null) =>
        await listening.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Waits until the demo content a fresh install loads in the background is in (or was not needed).</summary>
    public async Task WaitForDemoContentAsync()
    {
        using var http = CreateHttpClient();
        // The demo's datasets imported and its models registered: once over two minutes in CI, with the web tests running
        // beside the browser tests on two cores.
        var deadline = DateTime.UtcNow.AddMinutes(6);
        while (DateTime.UtcNow < deadline)
        {
            using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/admin/health"));
            var state = health.RootElement.GetProperty("demoContent").GetString();
            if (state is not ("pending" or "loading"))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The demo content did not finish loading within 6 minutes.");
    }

    /// <summary>
    /// Waits until every evaluation run the first start queued has finished, so tests that watch the engine see only
    /// their own work.
    /// </summary>
    public async Task WaitForEvaluationsAsync()
    {
        using var http = CreateHttpClient();
        // The card reader's two versions read 320 photos each, one at a time: a few minutes on a busy two-core machine.
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            using var runs = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/evaluations"));
            if (runs.RootElement.EnumerateArray().All(r => r.GetProperty("status").GetString() is "completed" or "failed" or "cancelled"))
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("The first start's evaluation runs did not finish within 10 minutes.");
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(match.Groups["url"].Value);
        }
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (errors)
        {
            errors.AppendLine(line);
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
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>The app built with the same configuration as these tests (the project reference builds it first).</summary>
    private static string WebExecutable
    {
        get
        {
            var configuration = typeof(AppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var folder = RepositoryFiles.Path("src", "QualityHub.Web", "bin", configuration);
            return Directory.EnumerateFiles(folder, "QualityHub.Web", SearchOption.AllDirectories).FirstOrDefault()
                ?? throw new FileNotFoundException($"QualityHub.Web was not built under {folder}.");
        }
    }
}
