using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using QualityHub.Core.Domain;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>The relay's lifetime: a host may stop it twice at once (its run loop and a test host's dispose both do).</summary>
public sealed class LiveHubRelayTests
{
    [Fact]
    public async Task Stops_racing_each_other_each_succeed_and_leave_nothing_subscribed()
    {
        for (var round = 0; round < 200; round++)
        {
            var hub = new CountingHubContext();
            var evaluations = new EvaluationNotifier();
            var relay = new LiveHubRelay(hub, evaluations, new OnlineNotifier(), [], NullLogger<LiveHubRelay>.Instance);
            await relay.StartAsync(CancellationToken.None);
            evaluations.Publish(new EvaluationProgress(1, RunStatus.Running, 1, 2, 10));

            using var start = new Barrier(4);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return relay.StopAsync(CancellationToken.None);
            })));
            evaluations.Publish(new EvaluationProgress(1, RunStatus.Completed, 2, 2, 10));

            Assert.Equal(1, hub.Sent); // the report before the stops, none after
        }
    }

    private sealed class CountingHubContext : IHubContext<LiveHub>
    {
        private readonly AllClients all = new();

        public int Sent => all.Sent;

        public IHubClients Clients => all;

        public IGroupManager Groups => throw new NotSupportedException();
    }

    private sealed class AllClients : IHubClients, IClientProxy
    {
        private int sent;

        public int Sent => Volatile.Read(ref sent);

        public IClientProxy All => this;

        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref sent);
            return Task.CompletedTask;
        }

        public IClientProxy AllExcept(IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

        public IClientProxy Client(string connectionId) => throw new NotSupportedException();

        public IClientProxy Clients(IReadOnlyList<string> connectionIds) => throw new NotSupportedException();

        public IClientProxy Group(string groupName) => throw new NotSupportedException();

        public IClientProxy GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

        public IClientProxy Groups(IReadOnlyList<string> groupNames) => throw new NotSupportedException();

        public IClientProxy User(string userId) => throw new NotSupportedException();

        public IClientProxy Users(IReadOnlyList<string> userIds) => throw new NotSupportedException();
    }
}
