using QualityHub.Inference.Native;

namespace QualityHub.Inference.Tests;

public class OrtLibraryTests
{
    [Fact]
    public void The_build_puts_ONNX_Runtime_1_30_beside_the_app_and_it_offers_API_version_23()
    {
        var info = OnnxRuntimeInfo.Current;

        Assert.True(info.Available, info.Error);
        Assert.Equal("1.30.0", info.Version);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, OrtLibrary.FileName), info.LibraryPath);
        Assert.NotEqual(0, OrtLibrary.Result.Api);
    }

    [Fact]
    public void A_missing_library_is_reported_with_its_path_and_what_to_do()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", OrtLibrary.FileName);

        var result = OrtLibrary.Load(path);

        Assert.False(result.IsLoaded);
        Assert.Contains(path, result.Error);
        Assert.Contains("QUALITYHUB_ONNXRUNTIME_PATH", result.Error);
    }

    [Fact]
    public void A_file_that_is_not_a_shared_library_is_reported_not_thrown()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not an ELF file");

            var result = OrtLibrary.Load(path);

            Assert.False(result.IsLoaded);
            Assert.Contains("could not be loaded", result.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
