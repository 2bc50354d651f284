using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Models;

public class ModelCardRowsTests
{
    [Fact]
    public void A_card_reads_as_fields_and_values()
    {
        var rows = ModelCardRows.From("""
            { "task": "image-classification", "input": { "width": 28, "scale": 0.003921569, "mean": [0.286] },
              "outputKind": "logits", "topK": 5, "labels": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal"], "ctc": null, "appendSpace": true, "mean2": [] }
            """);

        Assert.Equal(
            [
                new ModelCardRow("Task", "image-classification"),
                new ModelCardRow("Input · width", "28"),
                new ModelCardRow("Input · scale", "0.003921569"),
                new ModelCardRow("Input · mean", "0.286"),
                new ModelCardRow("Output kind", "logits"),
                new ModelCardRow("Top k", "5"),
                new ModelCardRow("Labels", "T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal (6)"),
                new ModelCardRow("Ctc", "—"),
                new ModelCardRow("Append space", "yes"),
                new ModelCardRow("Mean2", "none"),
            ],
            rows);
    }

    [Fact]
    public void A_long_list_is_cut_and_counted()
    {
        var charset = string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"c{i}\""));

        var row = Assert.Single(ModelCardRows.From($$"""{ "charset": [{{charset}}] }"""));

        Assert.EndsWith("c39 … (100 in all)", row.Value);
    }

    [Fact]
    public void JSON_that_is_not_a_card_says_so_instead_of_failing()
    {
        Assert.StartsWith("not valid JSON", Assert.Single(ModelCardRows.From("{ nope")).Value);
        Assert.Equal("not a JSON object", Assert.Single(ModelCardRows.From("[1, 2]")).Value);
    }
}
