using QualityHub.Inference.Onnx;

namespace QualityHub.Inference;

/// <summary>
/// Whether ONNX Runtime can load a model file as it stands, asked before the model is kept: every tensor inside the
/// file, every operator known, the graph sound. A hostile file would otherwise be registered and fail only when first
/// run, or make the server read files beside it.
/// </summary>
public static class OnnxModelCheck
{
    // The CPU always loads what is loadable (a GPU would only add its own failures); one thread leaves the cores to serving.
    private static readonly SessionSettings CheckSettings = new()
    {
        Provider = ProviderPreference.Cpu,
        IntraOpThreads = 1,
        InterOpThreads = 1,
        AllowSpinning = false,
    };

    /// <summary>
    /// Why the model at <paramref name="path"/> cannot be served, in words for whoever sent it (naming it
    /// <paramref name="name"/>, never by its path), or null when ONNX Runtime loads it within <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="OnnxFormatException">The file is not well-formed protobuf.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime itself is not available here (LibraryUnavailable).</exception>
    public static Task<string?> FindProblemAsync(string path, string name, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        FindProblemAsync(path, timeout, giveUp => OnnxSession.Load(path, CheckSettings, null, name, giveUp), cancellationToken);

    /// <summary>The check with the load given, so a test can stand in a load that never ends.</summary>
    internal static async Task<string?> FindProblemAsync(string path, TimeSpan timeout, Func<CancellationToken, OnnxSession> load, CancellationToken cancellationToken)
    {
        // Before ONNX Runtime opens the file: it would read the external data from beside it, whatever the path says.
        if (OnnxExternalData.FindInFile(path) is { } tensor)
        {
            var which = tensor.Length > 0 ? $"tensor '{tensor}'" : "an unnamed tensor";
            return $"{which} keeps its data in a separate file (ONNX external data); only models with every tensor inside the .onnx file are accepted";
        }

        var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loading = Task.Run(() => load(giveUp.Token), CancellationToken.None);
        try
        {
            using var session = await loading.WaitAsync(timeout, cancellationToken);
            return null;
        }
        catch (TimeoutException)
        {
            return $"ONNX Runtime did not finish loading it within {timeout.TotalSeconds:0.#} s";
        }
        catch (OnnxRuntimeException e) when (e.Code != OrtErrorCode.LibraryUnavailable)
        {
            return $"ONNX Runtime cannot load it: {e.OrtMessage}";
        }
        finally
        {
            Stop(loading, giveUp);
        }
    }

    // A load still running is asked to give up and left to end on its own; whatever it makes is disposed then.
    private static void Stop(Task<OnnxSession> loading, CancellationTokenSource giveUp)
    {
        if (loading.IsCompleted)
        {
            giveUp.Dispose();
            return;
        }

        giveUp.Cancel();
        _ = loading.ContinueWith(
            finished =>
            {
                if (finished.IsCompletedSuccessfully)
                {
                    finished.Result.Dispose();
                }

                giveUp.Dispose();
                return finished.Exception; // observed, so an abandoned load's failure is not reported as unobserved
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
