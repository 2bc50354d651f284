using System.Text.RegularExpressions;
using Ort = Microsoft.ML.OnnxRuntime;

namespace QualityHub.Inference.Runtime;

/// <summary>Turns the managed API's exceptions into ours, keeping ORT's error code and its own message.</summary>
internal static partial class OrtErrors
{
    /// <summary>Our exception for one of the managed API's; its message reads "[ErrorCode:Name] text".</summary>
    public static OnnxRuntimeException Translate(Ort.OnnxRuntimeException e, string? model = null)
    {
        var match = Prefix().Match(e.Message);
        var code = match.Success && Enum.TryParse<OrtErrorCode>(match.Groups["code"].Value, ignoreCase: true, out var parsed) ? parsed : OrtErrorCode.Fail;
        var message = match.Success ? e.Message[match.Length..].Trim() : e.Message;
        return new OnnxRuntimeException(code, message, model, e);
    }

    /// <summary>
    /// The part of a logged ORT error that says what went wrong, without the source location in front of it:
    /// "…provider_bridge_ort.cc:2059 … [ONNXRuntimeError] : 1 : FAIL : Failed to load library … with error: libcublasLt.so.13: …".
    /// </summary>
    public static string Essence(string logged)
    {
        var match = LoggedStatus().Match(logged);
        return (match.Success ? logged[match.Length..] : logged).Trim();
    }

    /// <summary>
    /// <paramref name="message"/> with <paramref name="modelPath"/> replaced by <paramref name="name"/>, and the model's
    /// folder dropped from the paths of files beside it ("…/store/ab/weights.bin" becomes "weights.bin").
    /// </summary>
    public static string HidePath(string message, string modelPath, string name)
    {
        var file = Path.GetFullPath(modelPath);
        message = message.Replace(file, name, StringComparison.Ordinal);
        if (Path.IsPathRooted(modelPath))
        {
            message = message.Replace(modelPath, name, StringComparison.Ordinal);
        }

        // The root folder is left alone: dropping "/" from a message would mangle every other slash in it.
        if (Path.GetDirectoryName(file) is { } folder && folder != Path.GetPathRoot(file))
        {
            message = message.Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)
                .Replace(folder, "the model's folder", StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>
    /// <paramref name="message"/> with the folders of the shared libraries it names dropped ("/app/runtimes/…/libx.so"
    /// becomes "libx.so"): a provider's fallback reason is shown to every user, the install path is the server's business.
    /// </summary>
    public static string WithoutLibraryFolders(string message) => LibraryPath().Replace(message, "${library}");

    [GeneratedRegex(@"(?<![\w.])/(?:[^\s/]+/)+(?<library>[^\s/]+\.so(?:\.[\d]+)*)")]
    private static partial Regex LibraryPath();

    [GeneratedRegex(@"^\[ErrorCode:(?<code>\w+)\]")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^.*\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*", RegexOptions.Singleline)]
    private static partial Regex LoggedStatus();
}
