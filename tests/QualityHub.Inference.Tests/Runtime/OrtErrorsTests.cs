using QualityHub.Inference.Runtime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace QualityHub.Inference.Tests.Runtime;

public class OrtErrorsTests
{
    // What ORT 1.32 logs when its CUDA provider cannot load (seen on this machine, which has no CUDA 13).
    private const string Logged =
        "/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2059 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() " +
        "[ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: " +
        "libcublasLt.so.13: cannot open shared object file: No such file or directory\n";

    [Fact]
    public void A_logged_error_keeps_what_went_wrong_without_its_source_location()
    {
        Assert.Equal(
            "Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory",
            OrtErrors.Essence(Logged));
        Assert.Equal(OrtErrors.Essence(Logged), OrtErrors.Essence("\n" + Logged));
        Assert.Equal("something else", OrtErrors.Essence("something else"));
    }

    [Fact]
    public void A_fallback_reason_names_libraries_without_their_folders()
    {
        Assert.Equal(
            "Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory",
            OrtErrors.WithoutLibraryFolders(OrtErrors.Essence(Logged)));
        Assert.Equal("libcudnn.so.9.1.0 missing", OrtErrors.WithoutLibraryFolders("/usr/lib/x86_64-linux-gnu/libcudnn.so.9.1.0 missing"));
        Assert.Equal("no path here: a/b", OrtErrors.WithoutLibraryFolders("no path here: a/b"));
    }

    [Fact]
    public void The_managed_APIs_error_code_becomes_ours_and_its_message_stays_ORTs()
    {
        using var options = new Ort.SessionOptions();

        var error = OrtErrors.Translate(Assert.Throws<Ort.OnnxRuntimeException>(() => new Ort.InferenceSession("not a model"u8.ToArray(), options)), "notes.onnx");

        Assert.Equal(OrtErrorCode.InvalidProtobuf, error.Code);
        Assert.DoesNotContain("[ErrorCode", error.OrtMessage, StringComparison.Ordinal);
        Assert.StartsWith("Model 'notes.onnx': ONNX Runtime InvalidProtobuf: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_path_in_a_message_becomes_the_models_name_and_files_beside_it_lose_their_folder()
    {
        const string path = "/srv/qualityhub/data/store/ab/cdef0123";

        var message = OrtErrors.HidePath(
            $"Load model from {path} failed: External data path does not exist: /srv/qualityhub/data/store/ab/weights.bin (in /srv/qualityhub/data/store/ab)", path, "fashion/v2");

        Assert.Equal("Load model from fashion/v2 failed: External data path does not exist: weights.bin (in the model's folder)", message);
    }

    [Fact]
    public void A_model_at_the_root_or_a_relative_path_leaves_the_rest_of_the_message_alone()
    {
        Assert.Equal("Load model from m failed: see /usr/lib/x.so", OrtErrors.HidePath("Load model from /model.onnx failed: see /usr/lib/x.so", "/model.onnx", "m"));
        Assert.Equal("a model.onnx b", OrtErrors.HidePath("a model.onnx b", "model.onnx", "other"));
    }
}
