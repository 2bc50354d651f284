using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace QualityHub.Web.Tests.Support;

/// <summary>A client of /hubs/quality speaking SignalR's JSON protocol over a raw WebSocket of the test server.</summary>
public sealed class HubSocket : IDisposable
{
    private const char Separator = '\u001e';

    private readonly WebSocket socket;
    private readonly Queue<string> pending = new();

    private HubSocket(WebSocket socket) => this.socket = socket;

    /// <summary>Connects with the admin key and completes the handshake.</summary>
    public static async Task<HubSocket> ConnectAsync(QualityHubFactory factory, CancellationToken cancellationToken)
    {
        var hub = new HubSocket(await factory.CreateWebSocketClient().ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/quality"), cancellationToken));
        await hub.socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}" + Separator), WebSocketMessageType.Text, true, cancellationToken);
        Assert.Equal("{}", await hub.NextRecordAsync(cancellationToken)); // handshake accepted
        return hub;
    }

    /// <summary>The next invocation (pings skipped) whose target is <paramref name="target"/>, or any when null.</summary>
    public async Task<JsonElement> NextMessageAsync(string? target, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = JsonDocument.Parse(await NextRecordAsync(cancellationToken)).RootElement;
            if (message.GetProperty("type").GetInt32() == 1 && (target is null || message.GetProperty("target").GetString() == target))
            {
                return message;
            }
        }
    }

    /// <summary>Every invocation that arrives within <paramref name="window"/> (pings skipped).</summary>
    public async Task<List<JsonElement>> MessagesWithinAsync(TimeSpan window)
    {
        var messages = new List<JsonElement>();
        using var quiet = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                messages.Add(await NextMessageAsync(null, quiet.Token));
            }
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            return messages;
        }
    }

    /// <summary>The next record of the protocol (records end with 0x1E; one frame may carry several).</summary>
    public async Task<string> NextRecordAsync(CancellationToken cancellationToken)
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

    public void Dispose() => socket.Dispose();
}
