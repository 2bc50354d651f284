using System.Text.Json.Serialization;

namespace QualityHub.Core.Metrics;

/// <summary>
/// Everything measured by one evaluation run, as stored with the run. Task is ImageClassification or
/// TextRecognition or Pipeline; Headline is accuracy (classification), exact-match rate (text recognition) or the
/// share of cards read right (a pipeline: every field of the photo right) with its interval; Errors counts samples the
/// model failed on. A pipeline's run also carries <see cref="Detection"/> (its detector's regions against the true
/// lines), <see cref="Fields"/> (each field, and the recogniser alone), <see cref="Blame"/> (wrong fields by the stage
/// put down to) and <see cref="PipelineStages"/> (each stage's time per photo).
/// <see cref="ProcessingTime"/> is the one latency pages show: one input at a time, end to end (null for runs made
/// before it was measured). <see cref="BatchedItemTime"/> is each item's share of the batched run (pre-processing +
/// compute of the batch it ran in + post-processing, queueing excluded): it explains throughput, it is not latency.
/// </summary>
public sealed record RunMetrics(
    string Task,
    int Count,
    int Errors,
    Estimate Headline,
    [property: JsonPropertyName("latency")] LatencySummary BatchedItemTime,
    StageLatency Stages,
    RunThroughput Throughput,
    [property: JsonPropertyName("latencyHistogram")] Histogram BatchedItemHistogram,
    ClassificationReport? Classification,
    TextRecognitionReport? Text,
    ProcessingTime? ProcessingTime = null,
    MeasuredMemory? Memory = null,
    DetectionReport? Detection = null,
    Pipelines.PipelineFieldsReport? Fields = null,
    IReadOnlyDictionary<string, int>? Blame = null,
    Pipelines.PipelineStageTimes? PipelineStages = null);

/// <summary>
/// The memory one session of the model took on the device it ran on, after answering an input: the median of
/// <paramref name="Loads"/> separate loads with the lowest and highest reading; <paramref name="Source"/> says what was
/// counted (GPU memory, the native heap, or the resident set), <paramref name="Device"/> and <paramref name="DeviceBytes"/>
/// the device's name and total memory — the capacity planner's starting point.
/// </summary>
public sealed record MeasuredMemory(long Bytes, long LowBytes, long HighBytes, int Loads, string Source, string Provider, string Device, long DeviceBytes);

/// <summary>Latency of each stage of the pipeline across a run's items.</summary>
public sealed record StageLatency(LatencySummary Queue, LatencySummary Preprocess, LatencySummary Compute, LatencySummary Postprocess);

/// <summary>
/// Throughput at batch 1 (one input at a time, the inputs of <see cref="RunMetrics.ProcessingTime"/>) and at the
/// engine's batching during the run (many in flight, batches up to the engine's maximum; DB writes included).
/// </summary>
public sealed record RunThroughput(
    double BatchOneItemsPerSecond,
    double BatchedItemsPerSecond,
    double MeanBatchSize,
    int LargestBatch);
