using QualityHub.Core.Domain;
using QualityHub.Core.Pipelines;

namespace QualityHub.Core.Tests.Pipelines;

public sealed class PipelineShapeTests
{
    private static readonly ProposedStage Detect = new(PipelineStageKind.TextDetection, "db-v1", TaskType.TextDetection);
    private static readonly ProposedStage Rectify = new(PipelineStageKind.Rectify);
    private static readonly ProposedStage Recognise = new(PipelineStageKind.TextRecognition, "crnn-v2", TaskType.TextRecognition);
    private static readonly ProposedStage Fields = new(PipelineStageKind.CardFields);

    [Fact]
    public void The_card_reader_chain_fits()
    {
        Assert.Null(PipelineShape.Problem([Detect, Rectify, Recognise, Fields]));
    }

    [Fact]
    public void No_stages_are_refused()
    {
        Assert.Equal("A pipeline version needs its stages, in order.", PipelineShape.Problem([]));
    }

    [Fact]
    public void More_stages_than_the_most_allowed_are_refused_with_the_count()
    {
        var stages = Enumerable.Range(0, PipelineShape.MaxStages + 1).Select(_ => Detect).ToList();

        Assert.Equal($"A pipeline version has at most {PipelineShape.MaxStages} stages; this one has {PipelineShape.MaxStages + 1}.", PipelineShape.Problem(stages));
    }

    [Fact]
    public void A_model_stage_without_a_version_is_told_which_module_task_to_pin()
    {
        var problem = PipelineShape.Problem([Detect, Rectify, new ProposedStage(PipelineStageKind.TextRecognition), Fields]);

        Assert.Equal("Stage 3 (text recognition) runs a model: pin a version of a text-recognition module.", problem);
    }

    [Fact]
    public void An_own_stage_given_a_version_is_refused_naming_the_version()
    {
        var rectifyWithModel = new ProposedStage(PipelineStageKind.Rectify, "warp-v1", TaskType.TextDetection);
        var fieldsWithModel = new ProposedStage(PipelineStageKind.CardFields, "parser-v9", TaskType.TextRecognition);

        Assert.Equal("Stage 2 (rectify) is QualityHub's own and pins no model version, but was given warp-v1.",
            PipelineShape.Problem([Detect, rectifyWithModel, Recognise, Fields]));
        Assert.Equal("Stage 4 (card fields) is QualityHub's own and pins no model version, but was given parser-v9.",
            PipelineShape.Problem([Detect, Rectify, Recognise, fieldsWithModel]));
    }

    [Fact]
    public void A_version_of_a_module_of_the_wrong_task_is_refused_naming_both_tasks()
    {
        var recogniserAsDetector = new ProposedStage(PipelineStageKind.TextDetection, "crnn-v2", TaskType.TextRecognition);
        var classifierAsRecogniser = new ProposedStage(PipelineStageKind.TextRecognition, "fashion-cnn-v1", TaskType.ImageClassification);

        Assert.Equal("Stage 1 (text detection) pins crnn-v2, a version of a text-recognition module; it runs a text-detection module's version.",
            PipelineShape.Problem([recogniserAsDetector, Rectify, Recognise, Fields]));
        var problem = PipelineShape.Problem([Detect, Rectify, classifierAsRecogniser, Fields]);
        Assert.StartsWith("Stage 3 (text recognition) pins fashion-cnn-v1,", problem);
        Assert.Contains("image-classification module", problem);
        Assert.EndsWith("it runs a text-recognition module's version.", problem);
    }

    [Fact]
    public void A_recogniser_first_is_told_it_takes_cut_out_lines_but_the_input_is_a_photo()
    {
        var problem = PipelineShape.Problem([Recognise, Detect, Rectify, Fields]);

        Assert.Equal("Stage 1 (text recognition) takes cut-out text lines, but the pipeline's input gives a photo.", problem);
    }

    [Fact]
    public void A_skipped_stage_is_told_what_the_stage_before_gives()
    {
        var problem = PipelineShape.Problem([Detect, Recognise, Fields]);

        Assert.Equal("Stage 2 (text recognition) takes cut-out text lines, but stage 1 (text detection) gives text regions.", problem);
    }

    [Fact]
    public void A_chain_that_stops_before_the_card_fields_is_refused_saying_what_it_ends_with()
    {
        var problem = PipelineShape.Problem([Detect, Rectify, Recognise]);

        Assert.Equal("The pipeline ends with the lines' texts; a pipeline ends with the card's fields (a card-fields stage after text recognition).", problem);
    }

    [Fact]
    public void A_stage_after_the_card_fields_does_not_fit()
    {
        var problem = PipelineShape.Problem([Detect, Rectify, Recognise, Fields, Fields]);

        Assert.Equal("Stage 5 (card fields) takes the lines' texts, but stage 4 (card fields) gives the card's fields.", problem);
    }

    [Fact]
    public void A_stage_kind_outside_the_enum_is_refused_listing_the_kinds()
    {
        var problem = PipelineShape.Problem([Detect, new ProposedStage((PipelineStageKind)99), Recognise, Fields]);

        Assert.Equal("Stage 2 is of no known kind; the kinds are text detection, rectify, text recognition, card fields.", problem);
    }

    [Fact]
    public void The_contract_of_an_undefined_kind_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PipelineShape.Of(0));
    }

    [Fact]
    public void Null_stages_throw()
    {
        Assert.Throws<ArgumentNullException>(() => PipelineShape.Problem(null!));
    }
}
