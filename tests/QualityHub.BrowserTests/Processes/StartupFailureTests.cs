using System.Net;
using System.Net.Sockets;

namespace QualityHub.BrowserTests.Processes;

/// <summary>The real app, started as a process, stops with one clear line when it cannot run as configured.</summary>
public class StartupFailureTests
{
    [Fact]
    public async Task A_file_that_is_not_a_database_stops_the_app_with_one_line_and_stays_untouched()
    {
        var folder = Directory.CreateTempSubdirectory("qualityhub-startup-").FullName;
        var database = Path.Combine(folder, "qualityhub.db");
        await File.WriteAllTextAsync(database, "quarterly numbers, not a database\n");

        await using var app = AppProcess.Start(folder);
        var exitCode = await app.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var line = Assert.Single(NonEmptyLines(app.Errors));
        Assert.StartsWith("QualityHub cannot start: Database ", line);
        Assert.Contains("is not a SQLite database", line);
        Assert.Equal("quarterly numbers, not a database\n", await File.ReadAllTextAsync(database));
    }

    [Fact]
    public async Task A_port_in_use_stops_the_app_with_one_line_naming_the_way_out()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        await using var app = AppProcess.Start(urls: $"http://127.0.0.1:{port}");
        var exitCode = await app.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var line = Assert.Single(NonEmptyLines(app.Errors));
        Assert.Contains($"127.0.0.1:{port}", line);
        Assert.Contains("--urls", line);
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_created_stops_the_app_with_one_line()
    {
        var folder = Directory.CreateTempSubdirectory("qualityhub-startup-").FullName;
        var blocker = Path.Combine(folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where the data folder should be");

        await using var app = AppProcess.Start(Path.Combine(blocker, "data"));
        var exitCode = await app.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var line = Assert.Single(NonEmptyLines(app.Errors));
        Assert.StartsWith("QualityHub cannot start: Data folder ", line);
        Assert.Contains("Storage:DataDirectory", line);
        Directory.Delete(folder, recursive: true);
    }

    private static List<string> NonEmptyLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
