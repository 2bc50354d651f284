using System.Text.Json;
using QualityHub.Core.Metrics;
using QualityHub.Core.Pipelines;

namespace QualityHub.Core.Tests.Pipelines;

public sealed class CardPhotoJsonTests
{
    private const string Photo = """
        {"image": "images/0001.jpg", "number": "2243 9187 7775 9461", "expiry": "01/28", "lines": [
          {"role": "other", "text": "TIDEWAY", "points": [[290.5, 80.7], [347.5, 71.6], [349.0, 80.9], [291.9, 90.1]]},
          {"role": "number", "text": "2243 9187 7775 9461", "points": [[106.6, 186.2], [354.4, 142.8], [357.0, 159.0], [109.2, 203.2]]},
          {"role": "expiry", "text": "01/28", "points": [[229.8, 203.8], [272.9, 195.9], [274.9, 208.7], [231.8, 216.7]]}],
         "tags": ["layout:classic"]}
        """;

    private const string LinesRequired = "\"lines\" (the text lines with their role, text and four corner points) is required";

    private const string FieldsRequired = "\"number\" and \"expiry\" (strings, empty when the photo has none) are required";

    private static (CardTruth? Truth, string? Json, string? Problem) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CardPhotoJson.Read(document.RootElement);
    }

    private static string? ProblemOf(string json) => Read(json).Problem;

    private static string Line(string role, string text, string points = "[[0, 0], [10, 0], [10, 5], [0, 5]]") =>
        $$"""{"role": "{{role}}", "text": "{{text}}", "points": {{points}}}""";

    private static string Card(string number, string expiry, params string[] lines) =>
        $$"""{"number": "{{number}}", "expiry": "{{expiry}}", "lines": [{{string.Join(", ", lines)}}]}""";

    private static void AssertSameTruth(CardTruth expected, CardTruth actual)
    {
        Assert.Equal((expected.Number, expected.Expiry), (actual.Number, actual.Expiry));
        Assert.Equal(expected.Lines.Count, actual.Lines.Count);
        foreach (var (want, got) in expected.Lines.Zip(actual.Lines))
        {
            Assert.Equal((want.Role, want.Text), (got.Role, got.Text));
            Assert.Equal(want.Quad.Points, got.Quad.Points);
        }
    }

    [Fact]
    public void A_valid_photo_reads_and_its_stored_json_parses_back_to_the_same_truth_with_float_corners()
    {
        var (truth, json, problem) = Read(Photo);

        Assert.Null(problem);
        Assert.NotNull(truth);
        Assert.NotNull(json);
        Assert.Equal(("2243 9187 7775 9461", "01/28"), (truth.Number, truth.Expiry));
        Assert.Equal(["other", "number", "expiry"], truth.Lines.Select(l => l.Role));
        Assert.Equal("2243 9187 7775 9461", truth.Lines[1].Text);
        Assert.Equal([new Vertex(106.6f, 186.2f), new Vertex(354.4f, 142.8f), new Vertex(357.0f, 159.0f), new Vertex(109.2f, 203.2f)], truth.Lines[1].Quad.Points);

        var parsed = CardPhotoJson.Parse(json);

        AssertSameTruth(truth, parsed);
        Assert.Equal(json, CardPhotoJson.ToJson(parsed));
    }

    [Fact]
    public void The_stored_json_keeps_only_the_truth()
    {
        var (_, json, _) = Read(Photo);

        using var stored = JsonDocument.Parse(json!);
        Assert.Equal(["number", "expiry", "lines"], stored.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["role", "text", "points"], stored.RootElement.GetProperty("lines")[0].EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"2243 9187 7775 9461\"")]
    [InlineData("null")]
    public void Json_that_is_not_an_object_is_refused(string json)
    {
        var (truth, stored, problem) = Read(json);

        Assert.Null(truth);
        Assert.Null(stored);
        Assert.Equal("not a JSON object", problem);
    }

    [Theory]
    [InlineData("""{"expiry": "01/28", "lines": []}""")]
    [InlineData("""{"number": "", "lines": []}""")]
    [InlineData("""{"number": 4111111111111111, "expiry": "01/28", "lines": []}""")]
    [InlineData("""{"number": "", "expiry": null, "lines": []}""")]
    public void A_missing_or_non_string_number_or_expiry_is_refused(string json)
    {
        Assert.Equal(FieldsRequired, ProblemOf(json));
    }

    [Fact]
    public void A_number_longer_than_a_thousand_characters_counts_as_missing()
    {
        Assert.Equal(FieldsRequired, ProblemOf(Card(new string('4', 1001), "")));
    }

    [Theory]
    [InlineData("""{"number": "", "expiry": ""}""")]
    [InlineData("""{"number": "", "expiry": "", "lines": {}}""")]
    [InlineData("""{"number": "", "expiry": "", "lines": "none"}""")]
    [InlineData("""{"number": "", "expiry": "", "lines": null}""")]
    public void Lines_missing_or_not_an_array_are_refused(string json)
    {
        Assert.Equal(LinesRequired, ProblemOf(json));
    }

    [Fact]
    public void A_line_with_three_points_is_refused_by_its_number()
    {
        var problem = ProblemOf(Card("", "", Line("name", "JANE DOE"), Line("other", "VISA", "[[0, 0], [10, 0], [10, 5]]")));

        Assert.Equal("line 2: \"role\", \"text\" and \"points\" (four [x, y] pairs of finite numbers) are required", problem);
    }

    [Theory]
    [InlineData("[[0, 0], [10, 0], [10, 5], [0, 5], [0, 0]]")]
    [InlineData("[[0, 0], [10, 0], [10, 5], [0]]")]
    [InlineData("[[0, 0], [10, 0], [10, 5], [0, 5, 1]]")]
    [InlineData("[[0, 0], [10, 0], [10, 5], [\"0\", 5]]")]
    [InlineData("[[0, 0], [10, 0], [10, 5], [0, 1000001]]")]
    [InlineData("[[0, 0], [10, 0], [10, 5], [-1e7, 5]]")]
    [InlineData("[[0, 0], [10, 0], [10, 5], [1e400, 5]]")]
    [InlineData("\"0,0 10,0 10,5 0,5\"")]
    public void Corners_that_are_not_four_pairs_of_sane_numbers_are_refused(string points)
    {
        Assert.StartsWith("line 1: ", ProblemOf(Card("", "", Line("other", "VISA", points))));
    }

    [Fact]
    public void Corners_a_million_pixels_out_are_still_accepted()
    {
        var (truth, _, problem) = Read(Card("", "", Line("other", "VISA", "[[-1000000, 0], [1000000, 0], [1000000, 5], [-1000000, 5]]")));

        Assert.Null(problem);
        Assert.Equal(new Vertex(-1e6f, 0), truth!.Lines[0].Quad.Points[0]);
    }

    [Theory]
    [InlineData("""{"text": "VISA", "points": [[0, 0], [10, 0], [10, 5], [0, 5]]}""")]
    [InlineData("""{"role": "other", "points": [[0, 0], [10, 0], [10, 5], [0, 5]]}""")]
    [InlineData("""{"role": "other", "text": "VISA"}""")]
    [InlineData("\"VISA\"")]
    public void A_line_without_role_text_or_points_is_refused(string line)
    {
        Assert.StartsWith("line 1: ", ProblemOf(Card("", "", line)));
    }

    [Fact]
    public void A_number_or_expiry_given_without_a_line_of_its_role_is_refused()
    {
        Assert.Equal("the number is given but no line has the role \"number\"",
            ProblemOf(Card("4111 1111 1111 1111", "01/28", Line("expiry", "01/28"), Line("other", "4111 1111 1111 1111"))));
        Assert.Equal("the expiry is given but no line has the role \"expiry\"",
            ProblemOf(Card("4111 1111 1111 1111", "01/28", Line("number", "4111 1111 1111 1111"))));
    }

    [Fact]
    public void The_most_lines_are_accepted_and_one_more_is_refused()
    {
        var most = Enumerable.Repeat(Line("other", "X"), CardPhotoJson.MaxLines).ToArray();

        Assert.Null(ProblemOf(Card("", "", most)));
        Assert.Equal($"{CardPhotoJson.MaxLines + 1} lines; at most {CardPhotoJson.MaxLines}", ProblemOf(Card("", "", [.. most, Line("other", "X")])));
    }

    [Fact]
    public void A_photo_without_text_is_valid_and_described_as_a_dash()
    {
        var (truth, json, problem) = Read(Card("", ""));

        Assert.Null(problem);
        Assert.Equal(("", ""), (truth!.Number, truth.Expiry));
        Assert.Empty(truth.Lines);
        AssertSameTruth(truth, CardPhotoJson.Parse(json!));
        Assert.Equal("—", CardPhotoJson.Describe(truth));
    }

    [Fact]
    public void Describe_joins_the_fields_a_photo_has_as_a_pipeline_shows_its_output()
    {
        Assert.Equal("2243918777759461 · 01/28", CardPhotoJson.Describe(Read(Photo).Truth!));
        Assert.Equal(new CardReadOutput("2243918777759461", true, "01/28", [], 0, new StageMilliseconds(0, 0, 0, 0, 0), null, null).Summary, CardPhotoJson.Describe(Read(Photo).Truth!));
        Assert.Equal("4111111111111111", CardPhotoJson.Describe(new CardTruth("4111 1111 1111 1111", "", [])));
        Assert.Equal("01/28", CardPhotoJson.Describe(new CardTruth("", "01/28", [])));
    }

    [Fact]
    public void Parse_of_json_that_is_not_a_truth_throws_a_format_exception_with_the_problem()
    {
        var error = Assert.Throws<FormatException>(() => CardPhotoJson.Parse("""{"number": "", "expiry": ""}"""));

        Assert.Contains(LinesRequired, error.Message);
    }

    [Fact]
    public void Every_photo_of_the_demo_card_photos_reads_without_a_problem()
    {
        var labels = File.ReadAllLines(RepositoryPath("data", "demo", "card-photos", "labels.jsonl")).Where(l => l.Length > 0).ToList();

        Assert.Equal(320, labels.Count);
        foreach (var (label, index) in labels.Select((l, i) => (l, i + 1)))
        {
            var (truth, json, problem) = Read(label);
            Assert.True(problem is null, $"labels.jsonl line {index}: {problem}");
            AssertSameTruth(truth!, CardPhotoJson.Parse(json!));
        }
    }

    // This project does not reference QualityHub.TestSupport; the same search as its RepositoryFiles.Path.
    private static string RepositoryPath(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QualityHub.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }

        throw new InvalidOperationException($"No QualityHub.sln above {AppContext.BaseDirectory}.");
    }
}
