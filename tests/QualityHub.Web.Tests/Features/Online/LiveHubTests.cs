using System.Net.WebSockets;
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
    private const char Separator = '\u001e';

    [Fact]
    public async Task Posting_events_pushes_an_onlineAggregates_message_with_the_new_minute_totals()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var socketClient = factory.CreateWebSocketClient();
        using var socket = await socketClient.ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/quality"), timeout.Token);
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}" + Separator, timeout.Token);
        var frames = new Queue<string>();
        Assert.Equal("{}", await NextAsync(socket, frames, timeout.Token)); // handshake accepted

        var at = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 30).Select(i => Event($"hub-{i}", OnlineFactory.First, OnlineFactory.Recognizer, at.AddSeconds(i), 20, corrected: i < 3));
        (await PostAsync(factory.CreateClient(), events)).EnsureSuccessStatusCode();

        JsonElement message;
        do
        {
            message = JsonDocument.Parse(await NextAsync(socket, frames, timeout.Token)).RootElement;
        }
        while (message.GetProperty("type").GetInt32() != 1); // 6 = ping

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
        using var socket = await factory.CreateWebSocketClient().ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/quality"), timeout.Token);
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}" + Separator, timeout.Token);
        var frames = new Queue<string>();
        Assert.Equal("{}", await NextAsync(socket, frames, timeout.Token));

        factory.Services.GetRequiredService<EvaluationNotifier>().Publish(new EvaluationProgress(4242, RunStatus.Running, 250, 1000, 125.5));

        JsonElement message;
        do
        {
            message = JsonDocument.Parse(await NextAsync(socket, frames, timeout.Token)).RootElement;
        }
        while (message.GetProperty("type").GetInt32() != 1);

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
        using var socket = await factory.CreateWebSocketClient().ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/quality"), timeout.Token);
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}" + Separator, timeout.Token);
        var frames = new Queue<string>();
        Assert.Equal("{}", await NextAsync(socket, frames, timeout.Token));

        var filed = await factory.CreateClient().PostAsync("/api/tickets",
            new StringContent("{\"title\":\"Card number read as <b>1234</b>\",\"severity\":\"high\"}", Encoding.UTF8, "application/json"));
        Assert.True(filed.IsSuccessStatusCode, await filed.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await filed.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();

        JsonElement message;
        do
        {
            message = JsonDocument.Parse(await NextAsync(socket, frames, timeout.Token)).RootElement;
        }
        while (message.GetProperty("type").GetInt32() != 1 || message.GetProperty("target").GetString() != "ticketCreated");

        var ticket = message.GetProperty("arguments")[0];
        Assert.Equal(id, ticket.GetProperty("id").GetInt32());
        Assert.Equal("Card number read as <b>1234</b>", ticket.GetProperty("title").GetString());
        Assert.Equal("High", ticket.GetProperty("severity").GetString());
    }

    private static Task SendAsync(WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next record of the protocol (records end with 0x1E; one frame may carry several).</summary>
    private static async Task<string> NextAsync(WebSocket socket, Queue<string> pending, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        while (pending.Count == 0)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage)
            {
                foreach (var record in text.ToString().Split(Separator, StringSplitOptions.RemoveEmptyEntries))
                {
                    pending.Enqueue(record);
                }

                text.Clear();
            }
        }

        return pending.Dequeue();
    }
}
