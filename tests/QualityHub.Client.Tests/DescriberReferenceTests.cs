using System.Text.Json;

namespace QualityHub.Client.Tests;

/// <summary>The describer against NumPy's brightness, contrast and Laplacian variance of the same pixels (tools/drift_reference.py).</summary>
public sealed class DescriberReferenceTests
{
    public static TheoryData<int> Images() => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(Images))]
    public void Descriptors_equal_numpys_for_the_same_pixels(int index)
    {
        var image = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference-drift.json")))
            .RootElement.GetProperty("images")[index];
        var (width, height, channels) = (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32(), image.GetProperty("channels").GetInt32());
        var pixels = image.GetProperty("pixels").EnumerateArray().Select(p => (byte)p.GetInt32()).ToArray();

        var described = InputDescriber.Describe(width, height, channels, pixels);

        Assert.Equal(width, described.Width);
        Assert.Equal(height, described.Height);
        Assert.Equal(image.GetProperty("brightness").GetDouble(), described.Brightness, 1e-12);
        Assert.Equal(image.GetProperty("contrast").GetDouble(), described.Contrast, 1e-12);
        Assert.Equal(image.GetProperty("blur").GetDouble(), described.Blur, 1e-12);
    }
}
