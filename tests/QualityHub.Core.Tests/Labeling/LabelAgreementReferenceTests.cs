using System.Text.Json;
using QualityHub.Core.Labeling;

namespace QualityHub.Core.Tests.Labeling;

/// <summary>Kappa and accuracy against scikit-learn's on the same seeded labelings (tools/labeling_reference.py → reference-agreement.json).</summary>
public sealed class LabelAgreementReferenceTests
{
    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Labeling", "reference-agreement.json"))).RootElement;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Reference.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kappa_and_accuracy_equal_scikit_learns(string name)
    {
        var c = Reference.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var pairs = c.GetProperty("vendor").EnumerateArray().Zip(c.GetProperty("ours").EnumerateArray(), (v, o) => (v.GetString()!, o.GetString()!)).ToList();

        Assert.Equal(c.GetProperty("kappa").GetDouble(), LabelAgreement.CohenKappa(pairs)!.Value, 12);
        Assert.Equal(c.GetProperty("accuracy").GetDouble(), LabelAgreement.Accuracy(pairs)!.Value, 12);
    }
}
