namespace QualityHub.Core.Metrics;

/// <summary>
/// Everything measured by one evaluation run, as stored with the run. Task is ImageClassification or
/// TextRecognition; Headline is accuracy (classification) or exact-match rate (text recognition) with its interval;
/// Latency is per item: pre-processing + compute of the batch it ran in + post-processing (queueing behind other
/// items excluded); Errors counts samples the model failed on.
/// </summary>
public sealed record RunMetrics(
    string Task,
    int Count,
    int Errors,
    Estimate Headline,
    LatencySummary Latency,
    StageLatency Stages,
    RunThroughput Throughput,
    Histogram LatencyHistogram,
    ClassificationReport? Classification,
    TextRecognitionReport? Text);

/// <summary>Latency of each stage of the pipeline across a run's items.</summary>
public sealed record StageLatency(LatencySummary Queue, LatencySummary Preprocess, LatencySummary Compute, LatencySummary Postprocess);

/// <summary>
/// Throughput at batch 1 (one request at a time, timed after the run) and at the engine's batching during the run
/// (many in flight, batches up to the engine's maximum; DB writes included).
/// </summary>
public sealed record RunThroughput(
    double BatchOneItemsPerSecond,
    LatencySummary BatchOneLatency,
    double BatchedItemsPerSecond,
    double MeanBatchSize,
    int LargestBatch);
