using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QualityHub.Core.Domain;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Features.Evaluations;
using static QualityHub.Web.Tests.Features.Online.Events;

namespace QualityHub.Web.Tests.Features.Online;

/// <summary>/hubs/quality over SignalR's JSON protocol on a raw WebSocket: posting events pushes their aggregates.</summary>
public sealed class LiveHubTests(OnlineFactory factory) : IClassFixture<OnlineFactory>
{
    [Fact]
    public async Task Posting_events_pushes_an_onlineAggregates_message_with_the_new_minute_totals()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var hub = await HubSocket.ConnectAsync(factory, timeout.Token);

        var at = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 30).Select(i => Event($"hub-{i}", OnlineFactory.First, OnlineFactory.Recognizer, at.AddSeconds(i), 20, corrected: i < 3));
        (await PostAsync(factory.CreateClient(), events)).EnsureSuccessStatusCode();

        var message = await hub.NextMessageAsync(null, timeout.Token);

        Assert.Equal("onlineAggregates", message.GetProperty("target").GetString());
        var batch = message.GetProperty("arguments")[0];
        Assert.Equal(30, batch.GetProperty("accepted").GetInt32());
        var minute = Assert.Single(batch.GetProperty("minutes").EnumerateArray());
        Assert.Equal(factory.ModuleIds[OnlineFactory.Recognizer], minute.GetProperty("moduleId").GetInt32());
        Assert.Equal(at, minute.GetProperty("t").GetDateTimeOffset());
        Assert.Equal(30, minute.GetProperty("count").GetInt64());
        Assert.Equal(0.1, minute.GetProperty("correctionRate").GetDouble(), 12);
    }

    [Fact]
    public async Task Evaluation_progress_is_pushed_as_evaluationProgress()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var hub = await HubSocket.ConnectAsync(factory, timeout.Token);

        factory.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(4242, RunStatus.Running, 250, 1000, 125.5));

        var message = await hub.NextMessageAsync(null, timeout.Token);

        Assert.Equal("evaluationProgress", message.GetProperty("target").GetString());
        var progress = message.GetProperty("arguments")[0];
        Assert.Equal(4242, progress.GetProperty("runId").GetInt32());
        Assert.Equal("running", progress.GetProperty("status").GetString());
        Assert.Equal(0.25, progress.GetProperty("fraction").GetDouble());
        Assert.Equal(750 / 125.5, progress.GetProperty("etaSeconds").GetDouble(), 9);
    }

    [Fact]
    public async Task A_filed_ticket_is_pushed_as_ticketCreated()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var hub = await HubSocket.ConnectAsync(factory, timeout.Token);

        var filed = await factory.CreateClient().PostAsync("/api/tickets",
            new StringContent("{\"title\":\"Card number read as <b>1234</b>\",\"severity\":\"high\"}", Encoding.UTF8, "application/json"));
        Assert.True(filed.IsSuccessStatusCode, await filed.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await filed.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();

        var message = await hub.NextMessageAsync("ticketCreated", timeout.Token);

        var ticket = message.GetProperty("arguments")[0];
        Assert.Equal(id, ticket.GetProperty("id").GetInt32());
        Assert.Equal("Card number read as <b>1234</b>", ticket.GetProperty("title").GetString());
        Assert.Equal("High", ticket.GetProperty("severity").GetString());
    }
}
