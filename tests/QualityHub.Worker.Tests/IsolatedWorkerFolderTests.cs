using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace QualityHub.Worker.Tests;

/// <summary>The portal's own worker gets a socket folder of its own, and sweeps the folders of portals that are gone.</summary>
public sealed class IsolatedWorkerFolderTests
{
    [Fact]
    public async Task A_gone_portals_folder_is_swept_and_nothing_else_is()
    {
        // No process has this id (above the kernel's pid_max of 2^22).
        var gone = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "qualityhub-99999999-0badf00d")).FullName;
        await File.WriteAllTextAsync(Path.Combine(gone, "worker.sock"), "");
        var alive = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"qualityhub-1-{Guid.NewGuid().ToString("N")[..8]}")).FullName; // init's: alive
        var other = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "qualityhub-99999999-not-ours")).FullName;
        string? own = null;
        try
        {
            using var worker = new IsolatedWorker(
                Options.Create(new PortalWorkerOptions { Isolation = "process" }), new IsolatedWorkerLaunch("/bin/true", [], "/nowhere"),
                new ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<IsolatedWorker>.Instance);

            Assert.False(Directory.Exists(gone));
            Assert.True(Directory.Exists(alive));
            Assert.True(Directory.Exists(other));
            Assert.StartsWith($"unix:{Path.Combine(Path.GetTempPath(), $"qualityhub-{Environment.ProcessId}-")}", worker.Address);
            own = Path.GetDirectoryName(worker.Address["unix:".Length..]);
            Assert.True(Directory.Exists(own));
        }
        finally
        {
            foreach (var path in new[] { gone, alive, other, own })
            {
                if (path is not null && Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }
        }
    }
}
