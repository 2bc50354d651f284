using System.Net.Sockets;
using Grpc.Net.Client;

namespace QualityHub.Worker;

/// <summary>The gRPC channel to a worker's address: <c>http://host:port</c>, <c>https://host:port</c> or <c>unix:/path/to/socket</c>.</summary>
public static class WorkerChannel
{
    /// <summary>
    /// A channel to <paramref name="address"/> that sends and receives messages of up to <paramref name="maxMessageMb"/> MiB,
    /// over TLS as <paramref name="tls"/> says for an <c>https://</c> address (else the system's trusted authorities and no
    /// client certificate); an address that is none of the three forms is refused naming it.
    /// </summary>
    public static GrpcChannel Create(string address, int maxMessageMb, WorkerTlsClient? tls = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageMb, 1);
        if (!IsAddress(address))
        {
            throw new ArgumentException($"A worker address is http://host:port, https://host:port or unix:/path, not '{address}'.", nameof(address));
        }

        var options = new GrpcChannelOptions { MaxReceiveMessageSize = maxMessageMb * 1024 * 1024, MaxSendMessageSize = maxMessageMb * 1024 * 1024 };
        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = address["unix:".Length..];
            options.HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            return GrpcChannel.ForAddress("http://localhost", options);
        }

        var uri = new Uri(address, UriKind.Absolute);
        if (tls is not null && uri.Scheme == Uri.UriSchemeHttps)
        {
            // As the channel's own handler, with the handshake the settings ask for.
            options.HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, SslOptions = tls.ClientOptions() };
        }

        return GrpcChannel.ForAddress(uri, options);
    }

    /// <summary>True when <paramref name="address"/> is one of the three forms a worker or server is reached at.</summary>
    public static bool IsAddress(string address) =>
        address.StartsWith("unix:/", StringComparison.Ordinal) || (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");
}
