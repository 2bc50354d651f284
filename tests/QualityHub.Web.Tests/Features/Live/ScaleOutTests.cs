using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Online;
using QualityHub.Web.Features.Tickets;

namespace QualityHub.Web.Tests.Features.Live;

/// <summary>
/// Two portal instances on one database and one Redis server (SignalR:Redis, the run's throwaway redis-server): what
/// happens on A reaches the hub clients and the pages (the in-process notifiers) of B, exactly once and never echoed
/// back; without Redis an instance serves on alone and says degraded.
/// </summary>
public sealed class ScaleOutTests
{
    private const string Release = "r-live";
    private const string Module = "live-recognizer";

    [Fact]
    public async Task A_run_a_ticket_and_online_events_on_one_instance_reach_the_other_instance_hub_and_pages_once()
    {
        var redis = await RedisTestServer.SharedAsync();
        using var data = new TempFolder("qualityhub-live-");
        var settings = ScaledOut(redis.ConnectionString);
        await using var a = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        await using var b = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        await SeedOnlineReleaseAsync(a);
        await WaitUntilLinkedAsync(a, b);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var hubOnA = await HubSocket.ConnectAsync(a, timeout.Token);
        using var hubOnB = await HubSocket.ConnectAsync(b, timeout.Token);
        var heardOnA = Record(a);
        var heardOnB = Record(b);

        a.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(4711, RunStatus.Running, 120, 400, 60));
        var filed = await a.CreateClient().PostAsJsonAsync("/api/tickets", new { title = "Expiry read as 13/27", severity = "high" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var ticketId = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 20).Select(i => new { eventId = $"live-{i}", release = Release, module = Module, timestamp = at.AddSeconds(i), latencyMs = 30.0, predicted = "1234", corrected = i < 5, correctedValue = i < 5 ? "1235" : null });
        (await a.CreateClient().PostAsJsonAsync("/api/events", events)).EnsureSuccessStatusCode();

        var progress = (await hubOnB.NextMessageAsync("evaluationProgress", timeout.Token)).GetProperty("arguments")[0];
        Assert.Equal(4711, progress.GetProperty("runId").GetInt32());
        Assert.Equal("running", progress.GetProperty("status").GetString());
        Assert.Equal(0.3, progress.GetProperty("fraction").GetDouble(), 12);
        var ticket = (await hubOnB.NextMessageAsync("ticketCreated", timeout.Token)).GetProperty("arguments")[0];
        Assert.Equal(ticketId, ticket.GetProperty("id").GetInt32());
        var minute = Assert.Single((await hubOnB.NextMessageAsync("onlineAggregates", timeout.Token)).GetProperty("arguments")[0].GetProperty("minutes").EnumerateArray());
        Assert.Equal(20, minute.GetProperty("count").GetInt64());
        Assert.Equal(0.25, minute.GetProperty("correctionRate").GetDouble(), 12);

        // B's pages hear the same news through B's own notifiers.
        await WaitForAsync(() => heardOnB.Count == 3, () => $"B's notifiers heard {heardOnB.Count} of 3 items: {string.Join(", ", heardOnB)}");
        Assert.Equal(new EvaluationProgress(4711, RunStatus.Running, 120, 400, 60), b.Services.GetRequiredService<EvaluationNotifier>().Latest(4711));
        Assert.Contains(heardOnB, item => item is TicketChange { Kind: TicketChangeKind.Created } change && change.Id == ticketId && change.Title == "Expiry read as 13/27");
        var batch = Assert.Single(heardOnB.OfType<OnlineBatchStored>());
        Assert.Equal((20, 0), (batch.Accepted, batch.Duplicates));
        Assert.Equal([20L], batch.Minutes.Select(m => m.Count));

        // Once each: nothing doubled by two relays, nothing echoed back to A.
        var restOnA = await hubOnA.MessagesWithinAsync(TimeSpan.FromSeconds(2));
        var restOnB = await hubOnB.MessagesWithinAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["evaluationProgress", "onlineAggregates", "ticketCreated"], restOnA.Select(Target).Order());
        Assert.Empty(restOnB);
        Assert.Equal(3, heardOnA.Count);
        Assert.Equal(3, heardOnB.Count);
    }

    [Fact]
    public async Task Without_redis_answering_an_instance_serves_says_degraded_without_the_password_and_its_pages_hear_its_own_news()
    {
        using var data = new TempFolder("qualityhub-live-");
        await using var app = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false,
            ScaledOut($"127.0.0.1:{LoopbackPorts.Free()},password=redis-secret-1234,connectTimeout=500"));
        var heard = Record(app);

        var health = await app.CreateAnonymousClient().GetAsync("/health");
        var detail = await WaitForLiveStatusAsync(app, "unreachable");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode); // it serves: only other instances' news is missing
        Assert.Equal("degraded", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal("degraded", detail.GetProperty("status").GetString());
        Assert.Equal("ok", detail.GetProperty("database").GetProperty("status").GetString());
        Assert.StartsWith("127.0.0.1:", detail.GetProperty("liveUpdates").GetProperty("servers").GetString());
        Assert.DoesNotContain("redis-secret-1234", detail.GetRawText(), StringComparison.Ordinal);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var hub = await HubSocket.ConnectAsync(app, timeout.Token);
        var filed = await app.CreateClient().PostAsJsonAsync("/api/tickets", new { title = "Filed while Redis is down", severity = "low" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        app.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(99, RunStatus.Running, 1, 2, 1));
        Assert.Contains(heard, item => item is TicketChange { Title: "Filed while Redis is down" });
        Assert.Contains(heard, item => item is EvaluationProgress { RunId: 99 });
        var hubMessages = await hub.MessagesWithinAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(["evaluationProgress", "ticketCreated"], hubMessages.Select(Target).Order());
    }

    [Fact]
    public async Task When_redis_dies_health_turns_degraded_and_when_it_is_back_the_instances_hear_each_other_again()
    {
        await using var redis = await RedisTestServer.StartAsync();
        using var data = new TempFolder("qualityhub-live-");
        var settings = ScaledOut(redis.ConnectionString + ",connectTimeout=1000");
        await using var a = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        await using var b = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, settings);
        await WaitUntilLinkedAsync(a, b);

        await redis.KillAsync();
        await WaitForLiveStatusAsync(a, "unreachable");
        a.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(5001, RunStatus.Running, 1, 10, 1));
        Assert.Equal(5001, a.Services.GetRequiredService<EvaluationNotifier>().Latest(5001)?.RunId); // A's own pages see it
        Assert.Null(b.Services.GetRequiredService<EvaluationNotifier>().Latest(5001));

        await using var back = await RedisTestServer.StartAsync(redis.Port);
        await WaitForLiveStatusAsync(a, "ok");
        await WaitForLiveStatusAsync(b, "ok");
        await WaitUntilLinkedAsync(a, b);
        // Nothing queued during the outage arrives late: a stale report must not overwrite what pages show now.
        Assert.Null(b.Services.GetRequiredService<EvaluationNotifier>().Latest(5001));
    }

    [Fact]
    public async Task A_redis_setting_that_is_not_a_configuration_string_stops_start_up_with_the_reason()
    {
        using var data = new TempFolder("qualityhub-live-");
        await using var app = new ConfiguredQualityHubFactory(data.Path, loadDemoContent: false, evaluateDemoModels: false, ScaledOut("127.0.0.1:6379,ssl=perhaps"));

        var failure = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("SignalR:Redis", failure.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ScaledOut(string redis) => new()
    {
        ["SignalR:Redis"] = redis,
        // A channel prefix of its own, so tests sharing the run's Redis server do not hear each other.
        ["SignalR:ChannelPrefix"] = $"qh-test-{Guid.NewGuid():N}",
    };

    /// <summary>Everything an instance's notifiers tell its pages, in order.</summary>
    private static List<object> Record(QualityHubFactory app)
    {
        var heard = new List<object>();
        void Add(object item)
        {
            lock (heard)
            {
                heard.Add(item);
            }
        }

        app.Services.GetRequiredService<EvaluationNotifier>().Subscribe(p => { if (p.RunId != Probe) { Add(p); } });
        app.Services.GetRequiredService<OnlineNotifier>().Subscribe(Add);
        app.Services.GetRequiredService<TicketNotifier>().Subscribe(Add);
        return heard;
    }

    private const int Probe = -1;

    // Both connected and subscribed: a probe published on each reaches the other.
    private static async Task WaitUntilLinkedAsync(QualityHubFactory a, QualityHubFactory b)
    {
        foreach (var (from, to) in new[] { (a, b), (b, a) })
        {
            var sent = 0;
            await WaitForAsync(() =>
            {
                from.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(Probe, RunStatus.Running, ++sent, 1_000_000, 1));
                return to.Services.GetRequiredService<EvaluationNotifier>().Latest(Probe) is not null;
            }, () => "the instances never heard each other over Redis");
            to.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(Probe, RunStatus.Completed, 1, 1, 1));
        }
    }

    private static async Task<JsonElement> WaitForLiveStatusAsync(QualityHubFactory app, string status)
    {
        JsonElement detail = default;
        await WaitForAsync(async () =>
        {
            detail = await app.CreateClient().GetFromJsonAsync<JsonElement>("/api/admin/health");
            return detail.GetProperty("liveUpdates").GetProperty("status").GetString() == status;
        }, () => $"the live status never became {status}: {detail}");
        return detail;
    }

    private static async Task SeedOnlineReleaseAsync(QualityHubFactory app)
    {
        _ = app.CreateClient();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        var module = new Module { Name = Module, TaskType = TaskType.TextRecognition, InputDescription = "a text line", OutputDescription = "its text", CreatedAt = now };
        var version = new ModelVersion { Module = module, Name = "live-v1", Sha256 = new string('b', 64), FileName = "m.onnx", CreatedAt = now };
        db.Releases.Add(new Release { Name = Release, CreatedAt = now, Entries = [new ReleaseEntry { Module = module, ModelVersion = version }] });
        await db.SaveChangesAsync();
    }

    private static string? Target(JsonElement message) => message.GetProperty("target").GetString();

    private static Task WaitForAsync(Func<bool> condition, Func<string> failure) => WaitForAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitForAsync(Func<Task<bool>> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            // The message only once it is needed: it lists collections the hub's callbacks are still adding to.
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(failure());
            }

            await Task.Delay(100);
        }
    }
}
