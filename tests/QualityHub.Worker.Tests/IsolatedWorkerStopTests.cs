using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace QualityHub.Worker.Tests;

/// <summary>Stopping the portal ends its worker once, however many times the host is stopped at once.</summary>
public sealed class IsolatedWorkerStopTests
{
    [Fact]
    public async Task Two_stops_at_once_both_finish_and_the_worker_that_ignored_its_closed_input_is_killed()
    {
        // A "worker" that never reads its standard input, so the stop has to kill it after its grace period.
        var launch = new IsolatedWorkerLaunch("/bin/sh", ["-c", "exec sleep 60"], "/nowhere");
        var worker = new IsolatedWorker(
            Options.Create(new PortalWorkerOptions { Isolation = "process" }), launch, new ConfigurationBuilder().Build(), TimeProvider.System,
            NullLogger<IsolatedWorker>.Instance);
        using (worker)
        {
            await worker.StartAsync(CancellationToken.None);
            var pid = await ProcessIdAsync(worker);

            // As the test host and the app's own wait for shutdown both do.
            var first = worker.StopAsync(CancellationToken.None);
            var second = worker.StopAsync(CancellationToken.None);
            await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} outlived the stop");
        }
    }

    [Fact]
    public async Task Two_stops_at_once_of_a_worker_that_ends_when_asked_never_fail()
    {
        // The race is between the two stops' ends: repeated, as a shutdown repeats it day after day.
        for (var round = 0; round < 30; round++)
        {
            // A "worker" that ends as soon as its standard input closes, as the real one does.
            var launch = new IsolatedWorkerLaunch("/bin/sh", ["-c", "exec cat > /dev/null"], "/nowhere");
            using var worker = new IsolatedWorker(
                Options.Create(new PortalWorkerOptions { Isolation = "process" }), launch, new ConfigurationBuilder().Build(), TimeProvider.System,
                NullLogger<IsolatedWorker>.Instance);
            await worker.StartAsync(CancellationToken.None);
            var pid = await ProcessIdAsync(worker);

            await Task.WhenAll(worker.StopAsync(CancellationToken.None), worker.StopAsync(CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} outlived the stop in round {round}");
        }
    }

    private static async Task<int> ProcessIdAsync(IsolatedWorker worker)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (worker.State.ProcessId is { } pid)
            {
                return pid;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the worker process was not started within 10 s");
    }
}
