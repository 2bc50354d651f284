namespace QualityHub.Inference.Tests;

public class OnnxRuntimeInfoTests
{
    [Fact]
    public void The_engine_runs_ONNX_Runtime_1_32_from_its_NuGet_package()
    {
        var info = OnnxRuntimeInfo.Current;

        Assert.True(info.Available, info.Error);
        Assert.Equal("1.32.0", info.Version);
        // The package's native library, copied beside the tests by the build (not a library from npm or the system).
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so"), info.LibraryPath);
        Assert.Contains("CPUExecutionProvider", OnnxSession.AvailableProviders);
    }
}
