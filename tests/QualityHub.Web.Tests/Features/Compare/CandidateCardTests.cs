using Bunit;
using QualityHub.Core.Domain;
using QualityHub.Data.Accounts;
using QualityHub.Inference;
using QualityHub.Inference.Engine;
using QualityHub.Inference.Tasks;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>One candidate's answer on the Compare page: while it runs, when it fails, when it answers, and filing a ticket about it.</summary>
public sealed class CandidateCardTests : ComponentTests
{
    private static readonly Candidate Linear = new(
        5, "fashion-linear-v1", 1, "fashion", TaskType.ImageClassification,
        new ModelSpec("key", "fashion-linear-v1.onnx", "fashion-linear-v1"),
        ModelCard.Load(RepositoryFiles.Path("data", "demo", "models", "fashion-linear-v1.card.json")));

    private static CandidateResult Answer(bool? correct = true, string? error = null, TextAnswer? text = null) => new(
        5, "fashion-linear-v1", error is null ? "Sneaker" : null, error is null ? 0.87f : null,
        error is null && text is null ? [new ClassScore(7, "Sneaker", 0.87f), new ClassScore(5, "Sandal", 0.1f)] : [],
        text, error is null ? new InferenceTiming(1, 0.5, 2, 0.5, 4) : null, ExecutionProvider.Cpu, error is null ? correct : null, error, 4.2);

    private IRenderedComponent<CandidateCard> RenderCard(CandidateResult? result, bool disagrees = false, Action<CandidateResult>? onFileTicket = null) =>
        Render<CandidateCard>(p =>
        {
            p.Add(c => c.Candidate, Linear).Add(c => c.Result, result).Add(c => c.Disagrees, disagrees);
            if (onFileTicket is not null)
            {
                p.Add(c => c.OnFileTicket, onFileTicket);
            }
        });

    [Fact]
    public void A_candidate_still_running_says_so_and_shows_no_answer()
    {
        var cut = RenderCard(result: null);

        Assert.Equal("running", cut.Find("[data-candidate='5']").GetAttribute("data-state"));
        Assert.Contains("running…", cut.Find(".qh-candidate-wait").TextContent);
        Assert.Empty(cut.FindAll("[data-output]"));
    }

    [Fact]
    public void The_provider_says_whether_the_portal_or_which_worker_ran_the_answer()
    {
        var inProcess = RenderCard(Answer());
        var onWorker = RenderCard(Answer() with { RanOn = "worker unix:/run/qh/w.sock (GPU: NVIDIA L4)" });

        Assert.Contains("in the portal's process", inProcess.Find("[data-candidate='5'] .mud-chip").GetAttribute("title"));
        Assert.Equal("Execution provider that ran it, on worker unix:/run/qh/w.sock (GPU: NVIDIA L4)", onWorker.Find("[data-candidate='5'] .mud-chip").GetAttribute("title"));
    }

    [Fact]
    public void A_failed_candidate_shows_its_error_and_no_answer()
    {
        var cut = RenderCard(Answer(error: "The model's input is 28×28; this image is 32×32."));

        Assert.Equal("failed", cut.Find("[data-candidate='5']").GetAttribute("data-state"));
        Assert.Contains("The model's input is 28×28; this image is 32×32.", cut.Markup);
        Assert.Empty(cut.FindAll("[data-output]"));
    }

    [Fact]
    public void An_answer_shows_output_verdict_top_classes_and_where_the_time_went()
    {
        var cut = RenderCard(Answer(correct: false));

        var card = cut.Find("[data-candidate='5']");
        Assert.Equal("done", card.GetAttribute("data-state"));
        Assert.Equal("4.20", card.GetAttribute("data-server-ms"));
        Assert.Equal("2.000", card.GetAttribute("data-compute-ms"));
        Assert.Equal("Sneaker", cut.Find("[data-output]").TextContent);
        Assert.Contains("wrong", cut.Find(".qh-candidate-output").TextContent);
        Assert.DoesNotContain("disagrees", cut.Find(".qh-candidate-output").TextContent);
        Assert.Contains("confidence 87.0 %", cut.Markup);
        var plot = cut.FindComponent<Plot>();
        Assert.Equal("Top 2 classes of fashion-linear-v1", plot.Instance.Label);
        Assert.Contains("\"Sandal\"", plot.Instance.Figure.ToJson());
        Assert.Equal("width: 25.0%", cut.Find(".qh-lat-queue").GetAttribute("style"));
        Assert.Equal("width: 50.0%", cut.Find(".qh-lat-compute").GetAttribute("style"));
        Assert.Contains("queue 1.00 ms · pre 0.50 ms · compute 2.00 ms · post 0.50 ms · batch 4", cut.Find(".qh-latency .qh-caption").TextContent);
        Assert.Contains("CPU", cut.Find(".qh-candidate-head").TextContent);
    }

    [Fact]
    public void A_recogniser_answer_shows_the_character_diff_instead_of_a_chart()
    {
        var text = new TextAnswer("12/26", ["1", "2", "/", "2", "6"], [1f, 1f, 1f, 1f, 1f], null, 0);

        var cut = RenderCard(Answer(text: text));

        Assert.Single(cut.FindComponents<TextDiffView>());
        Assert.Empty(cut.FindComponents<Plot>());
    }

    [Fact]
    public void A_card_whose_answer_differs_from_the_others_is_marked()
    {
        var cut = RenderCard(Answer(), disagrees: true);

        Assert.True(cut.Find("[data-candidate='5']").ClassList.Contains("qh-candidate-disagrees"));
        Assert.Contains("disagrees", cut.Find(".qh-candidate-output").TextContent);
    }

    [Fact]
    public void File_a_ticket_hands_the_page_this_answer()
    {
        SignInAs(QualityHubRoles.Modeler);
        CandidateResult? filed = null;
        var answer = Answer();
        var cut = RenderCard(answer, onFileTicket: r => filed = r);

        cut.Find("[data-file-ticket='5']").Click();

        Assert.Same(answer, filed);
    }

    [Fact]
    public void File_a_ticket_is_absent_for_a_viewer()
    {
        SignInAs(QualityHubRoles.Viewer);

        var cut = RenderCard(Answer(), onFileTicket: _ => { });

        Assert.Empty(cut.FindAll("[data-file-ticket]"));
    }

    [Fact]
    public void File_a_ticket_is_absent_where_the_page_offers_none()
    {
        SignInAs(QualityHubRoles.Admin);

        var cut = RenderCard(Answer());

        Assert.Empty(cut.FindAll("[data-file-ticket]"));
    }
}
