using Microsoft.AspNetCore.Components;
using QualityHub.Core.Metrics;
using QualityHub.Data.Evaluations;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Gallery;

namespace QualityHub.Web.Features.Evaluations;

/// <summary>One evaluation run: live progress while it runs, then its metrics, charts, processing time and predictions, a page at a time.</summary>
public sealed partial class EvaluationDetailPage : IDisposable
{
    [Inject]
    private EvaluationCatalog Catalog { get; set; } = default!;

    [Inject]
    private EvaluationJobs Jobs { get; set; } = default!;

    [Inject]
    private EvaluationNotifier Notifier { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;


    [Parameter]
    public int Id { get; set; }

    private RunDetail? run;
    private bool loaded;
    private bool interactive;
    private PredictionFilter filter = new();
    private int predictionCount;
    private const int PageSize = 20;
    private IReadOnlyList<PredictionItem> pageItems = [];
    private int pageIndex;
    private IDisposable? subscription;
    private int reloadPending;

    protected override async Task OnParametersSetAsync()
    {
        run = await Catalog.GetRunAsync(Id);
        loaded = true;
        if (run is not null)
        {
            await LoadPageAsync(0);
        }

        subscription ??= Notifier.Subscribe(progress =>
        {
            if (progress.RunId == Id)
            {
                _ = ReloadSoonAsync();
            }
        });
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private static string Interval(Estimate e) => Formats.Interval(e);

    private int PageCount => (predictionCount + PageSize - 1) / PageSize;

    private async Task LoadPageAsync(int index)
    {
        var page = await Catalog.GetPredictionsAsync(Id, index * PageSize, PageSize, filter);
        pageItems = page?.Items ?? [];
        predictionCount = page?.Total ?? 0;
        pageIndex = index;
    }

    private void CellClicked(PlotPoint point) =>
        Navigation.NavigateTo($"evaluations/{Id}/gallery?{new GalleryFilter(TrueLabel: point.Y, PredictedLabel: point.X).ToQuery()}");

    private async Task FilterAsync(string? trueLabel, string? predictedLabel, bool? wrongOnly = null)
    {
        filter = new PredictionFilter(trueLabel, predictedLabel, wrongOnly ?? filter.WrongOnly);
        await LoadPageAsync(0);
    }

    private async Task CancelAsync()
    {
        await Jobs.CancelAsync(Id);
        run = await Catalog.GetRunAsync(Id);
    }

    private async Task ReloadSoonAsync()
    {
        if (Interlocked.Exchange(ref reloadPending, 1) == 1)
        {
            return;
        }

        await Task.Delay(400);
        Volatile.Write(ref reloadPending, 0);
        try
        {
            var fresh = await Catalog.GetRunAsync(Id);
            await InvokeAsync(async () =>
            {
                var finished = run?.Metrics is null && fresh?.Metrics is not null;
                run = fresh;
                StateHasChanged();
                if (finished)
                {
                    await LoadPageAsync(pageIndex);
                    StateHasChanged();
                }
            });
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => subscription?.Dispose();
}
