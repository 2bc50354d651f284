using Microsoft.Extensions.Options;

namespace QualityHub.Data.Evaluations;

/// <summary>How evaluation runs execute ("Evaluation" in configuration).</summary>
public sealed class EvaluationOptions
{
    public const string SectionName = "Evaluation";

    /// <summary>Runs executing at once on the inference device; the rest wait in the queue.</summary>
    public int MaxConcurrentRuns { get; set; } = 1;

    /// <summary>Samples a run keeps in flight at once: <see cref="InFlight"/> / <see cref="BatchSize"/> batches, decoded while others compute.</summary>
    public int InFlight { get; set; } = 96;

    /// <summary>Samples per batch a run sends to the engine (models with a fixed batch of one get them one by one).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Predictions written per transaction (progress on a resumed run is never lost by more than this).</summary>
    public int WriteBatch { get; set; } = 1000;

    /// <summary>
    /// Samples timed one at a time after the run, from encoded image to final output: the run's processing time and
    /// its throughput at batch 1. All of them when the dataset has fewer.
    /// </summary>
    public int ProcessingTimeSamples { get; set; } = 500;

    /// <summary>Bootstrap resamples for the 95 % intervals.</summary>
    public int BootstrapResamples { get; set; } = 1000;

    /// <summary>Memory for decoded sample images kept between runs (<see cref="DecodedImageCache"/>); 0 keeps none.</summary>
    public long ImageCacheMb { get; set; } = 256;

    /// <summary>Largest image (width × height) a run decodes; larger stored images are recorded as errors.</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>
    /// PostgreSQL deployments: how long an instance's claim on a running run holds without its heartbeat (renewed every
    /// third of it). When an instance dies, another takes its runs over after this long and resumes them from their
    /// stored predictions.
    /// </summary>
    public int LeaseSeconds { get; set; } = 30;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (LeaseSeconds is < 3 or > 3600)
        {
            problems.Add($"Evaluation:LeaseSeconds must be between 3 and 3600, not {LeaseSeconds}.");
        }

        if (MaxConcurrentRuns is < 1 or > 64)
        {
            problems.Add($"Evaluation:MaxConcurrentRuns must be between 1 and 64, not {MaxConcurrentRuns}.");
        }

        if (InFlight is < 1 or > 4096)
        {
            problems.Add($"Evaluation:InFlight must be between 1 and 4096, not {InFlight}.");
        }

        if (BatchSize is < 1 or > 1024)
        {
            problems.Add($"Evaluation:BatchSize must be between 1 and 1024, not {BatchSize}.");
        }

        if (WriteBatch is < 1 or > 100_000)
        {
            problems.Add($"Evaluation:WriteBatch must be between 1 and 100000, not {WriteBatch}.");
        }

        if (ProcessingTimeSamples is < 0 or > 100_000)
        {
            problems.Add($"Evaluation:ProcessingTimeSamples must be between 0 and 100000, not {ProcessingTimeSamples}.");
        }

        if (ImageCacheMb is < 0 or > 1_048_576)
        {
            problems.Add($"Evaluation:ImageCacheMb must be between 0 and 1048576, not {ImageCacheMb}.");
        }

        if (BootstrapResamples is < 100 or > 100_000)
        {
            problems.Add($"Evaluation:BootstrapResamples must be between 100 and 100000, not {BootstrapResamples}.");
        }

        return problems;
    }
}

/// <summary>Refuses out-of-range Evaluation settings at start-up, naming each.</summary>
internal sealed class EvaluationOptionsValidator : IValidateOptions<EvaluationOptions>
{
    public ValidateOptionsResult Validate(string? name, EvaluationOptions options) =>
        options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
