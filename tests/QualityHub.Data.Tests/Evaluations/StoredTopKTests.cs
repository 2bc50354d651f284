using System.Text.Json;
using QualityHub.Data.Evaluations;
using QualityHub.Inference.Tasks;

namespace QualityHub.Data.Tests.Evaluations;

public class StoredTopKTests
{
    [Fact]
    public void Written_top_k_json_equals_what_the_serializer_writes_and_reads_back()
    {
        ClassScore[] topK =
        [
            new(0, "T-shirt/top", 0.912345678f),
            new(3, "<b>bold</b> & \"quoted\"", 1e-9f),
            new(7, "Ärmel – ünïcode", 0.5f),
            new(9, "", 0f),
        ];

        var written = StoredClassScore.ToJson(topK);

        var serialized = JsonSerializer.Serialize(topK.Select(s => new StoredClassScore(s.Label, Math.Round(s.Probability, 6))), RunMetricsCalculator.Json);
        Assert.Equal(serialized, written);
        var back = JsonSerializer.Deserialize<List<StoredClassScore>>(written, RunMetricsCalculator.Json)!;
        Assert.Equal(topK.Select(s => s.Label), back.Select(s => s.Label));
        Assert.Equal(0.912346, back[0].P);
        Assert.Equal(0, back[1].P);
    }

    [Fact]
    public void Consecutive_top_k_json_do_not_share_bytes()
    {
        var first = StoredClassScore.ToJson([new(0, "a much longer label than the next one", 0.25f)]);
        var second = StoredClassScore.ToJson([new(1, "b", 0.75f)]);

        Assert.Equal("""[{"label":"a much longer label than the next one","p":0.25}]""", first);
        Assert.Equal("""[{"label":"b","p":0.75}]""", second);
    }
}
