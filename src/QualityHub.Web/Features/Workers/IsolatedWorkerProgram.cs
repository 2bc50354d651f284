using QualityHub.Worker;

namespace QualityHub.Web.Features.Workers;

/// <summary>
/// The portal's own worker is this program started again with <see cref="IsolatedWorker.ChildFlag"/>: the same build,
/// the same runtime, the same native libraries as the portal, nothing else to install or keep in step.
/// </summary>
public static class IsolatedWorkerProgram
{
    /// <summary>True when the arguments make this process the worker of a portal; then <paramref name="socket"/> is where it serves.</summary>
    public static bool IsChild(string[] args, out string socket)
    {
        (var child, socket) = args is [IsolatedWorker.ChildFlag, var path] ? (true, path) : (false, "");
        return child;
    }

    /// <summary>How to start this program as a worker reading models from <paramref name="storeDirectory"/>.</summary>
    public static IsolatedWorkerLaunch Launch(string storeDirectory)
    {
        var assembly = typeof(IsolatedWorkerProgram).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var hostName = Path.GetFileNameWithoutExtension(host);
        if (string.Equals(hostName, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return new IsolatedWorkerLaunch(host, [assembly, IsolatedWorker.ChildFlag], storeDirectory); // dotnet QualityHub.Web.dll
        }

        if (string.Equals(hostName, Path.GetFileNameWithoutExtension(assembly), StringComparison.Ordinal))
        {
            return new IsolatedWorkerLaunch(host, [IsolatedWorker.ChildFlag], storeDirectory); // the app's own executable
        }

        // Hosted by another program (a test host): the runtime that runs it runs this assembly too.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        return new IsolatedWorkerLaunch(dotnet, [assembly, IsolatedWorker.ChildFlag], storeDirectory);
    }
}
