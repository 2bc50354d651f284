using System.Text.Json;

namespace QualityHub.TestSupport;

/// <summary>What torch answered for the demo classifiers on the 2,000-image subset (data/demo/models/fashion-torch-reference.json).</summary>
public static class TorchReference
{
    /// <summary>Per demo classifier: the class index torch gave each subset image (a digit per ordinal) and how many it got right.</summary>
    public static (string Top1, int Correct) Of(string model)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Path("data", "demo", "models", "fashion-torch-reference.json")));
        var entry = reference.RootElement.GetProperty("models").GetProperty(model);
        return (entry.GetProperty("subsetTop1").GetString()!, entry.GetProperty("subsetCorrect").GetInt32());
    }
}
