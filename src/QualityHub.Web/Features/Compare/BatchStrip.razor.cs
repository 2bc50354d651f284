using Microsoft.AspNetCore.Components;
using MudBlazor;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Compare;

/// <summary>The chosen candidates over the next N samples of the dataset: live progress, agreement, accuracy, disagreements.</summary>
public sealed partial class BatchStrip : IDisposable
{
    [Inject]
    private BatchComparison Batches { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private CancellationTokenSource? cancellation;
    private bool running;
    private int count = 100;
    private int fromOrdinal;
    private BatchProgress? progress;
    private BatchSummary? summary;
    private string key = "";
    private long lastPaint;

    [Parameter, EditorRequired]
    public required IReadOnlyList<Candidate> Candidates { get; set; }

    [Parameter]
    public int? DatasetId { get; set; }

    [Parameter]
    public int MaxSamples { get; set; } = 500;

    [Parameter]
    public EventCallback<SampleRef> OnOpenSample { get; set; }

    protected override void OnParametersSet()
    {
        // Other candidates or another dataset: earlier figures no longer apply.
        var current = $"{DatasetId}:{string.Join(",", Candidates.Select(c => c.VersionId))}";
        if (current != key)
        {
            key = current;
            Cancel();
            (fromOrdinal, progress, summary) = (0, null, null);
        }
    }

    private async Task RunAsync()
    {
        if (DatasetId is not { } datasetId)
        {
            return;
        }

        cancellation = new CancellationTokenSource();
        running = true;
        (summary, progress) = (null, null);
        try
        {
            summary = await Batches.RunAsync(Candidates, datasetId, fromOrdinal, Math.Clamp(count, 1, MaxSamples), new Reporter(this), cancellation.Token);
            fromOrdinal = summary.NextOrdinal;
            if (summary.Samples == 0)
            {
                Snackbar.Add("No samples left in this dataset from here; start over.", Severity.Warning);
            }
        }
        catch (CompareException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            running = false;
            cancellation?.Dispose();
            cancellation = null;
        }
    }

    private void Report(BatchProgress value)
    {
        // Samples finish on several threads; never step back.
        if (progress is { } shown && shown.Done > value.Done)
        {
            return;
        }

        progress = value;
        var now = Environment.TickCount64;
        if (now - lastPaint >= 100 || value.Done == value.Total)
        {
            lastPaint = now;
            _ = InvokeAsync(StateHasChanged);
        }
    }

    private void Cancel() => cancellation?.Cancel();

    private static PlotFigure AccuracyFigure(BatchSummary s) => CompareCharts.Accuracy(s);

    public void Dispose() => Cancel();

    /// <summary>Reports straight from the batch's threads; painting is throttled in <see cref="Report"/>.</summary>
    private sealed class Reporter(BatchStrip strip) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => strip.Report(value);
    }
}
