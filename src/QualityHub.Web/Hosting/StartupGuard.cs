using System.Net.Sockets;
using Microsoft.Extensions.Options;
using QualityHub.Data;

namespace QualityHub.Web.Hosting;

/// <summary>Runs the app; a start-up failure we understand ends it with one line on stderr saying what to do.</summary>
public static class StartupGuard
{
    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (Explain(e) is { } line)
        {
            await Console.Error.WriteLineAsync($"QualityHub cannot start: {line}");
            return 1;
        }
    }

    private static string? Explain(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Explain(aggregate.InnerExceptions[0]),
        StartupException startup => startup.Message,
        OptionsValidationException invalid => $"the configuration is invalid: {string.Join(" ", invalid.Failures)}",
        InvalidOperationException { Message: var m } when m.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            $"the configuration is invalid: {m}",
        IOException io when io.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) =>
            $"{io.Message.TrimEnd('.')}. Another program holds that port: stop it, or choose another with --urls http://localhost:5001.",
        _ => null,
    };
}
