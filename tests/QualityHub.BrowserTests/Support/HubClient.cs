using System.Net.WebSockets;
using System.Text;

namespace QualityHub.BrowserTests.Support;

/// <summary>A raw SignalR JSON-protocol client of /hubs/quality that keeps every message it receives.</summary>
internal sealed class HubClient : IDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly CancellationTokenSource stop = new();
    private readonly List<string> received = [];

    public IReadOnlyList<string> Received
    {
        get
        {
            lock (received)
            {
                return received.ToList();
            }
        }
    }

    public static async Task<HubClient> ConnectAsync(string baseUrl)
    {
        var client = new HubClient();
        client.socket.Options.SetRequestHeader("X-Api-Key", AppProcess.AdminKey);
        await client.socket.ConnectAsync(new Uri(baseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/hubs/quality"), CancellationToken.None);
        await client.socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        _ = Task.Run(client.ReceiveAsync);
        return client;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var frames = text.ToString().Split('\u001e');
                lock (received)
                {
                    received.AddRange(frames[..^1]);
                }

                text.Clear().Append(frames[^1]);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        socket.Dispose();
        stop.Dispose();
    }
}
