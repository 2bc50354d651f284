using System.Net;
using System.Net.Sockets;

namespace QualityHub.TestSupport;

/// <summary>Ports on 127.0.0.1 for the servers tests start (and for addresses where nothing listens).</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on at the moment of asking (another process may take it after).</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
