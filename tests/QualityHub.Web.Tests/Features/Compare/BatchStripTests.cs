using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Compare;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Compare;

/// <summary>The Compare page's batch over the demo: progress and figures, a disagreement opened, refusals as snackbars.</summary>
public sealed class BatchStripTests(EvaluatedDemoQualityHubFactory factory) : DemoPageTests(factory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private IReadOnlyList<Candidate> candidates = [];
    private int dataset;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var scope = Factory.Services.CreateScope();
        var catalog = scope.ServiceProvider.GetRequiredService<ModelCatalog>();
        var fashion = (await catalog.GetModulesAsync()).Single(m => m.Name == "fashion-mnist-classifier").Id;
        var versions = (await catalog.GetVersionsAsync(fashion)).Where(v => v.Name is "fashion-linear-v1" or "fashion-cnn-v1").Select(v => v.Id).ToList();
        candidates = await scope.ServiceProvider.GetRequiredService<CandidateSource>().ResolveAsync(versions);
        dataset = (await scope.ServiceProvider.GetRequiredService<SamplePicker>().DatasetsOfAsync(fashion)).First(d => d.Samples > 0).Id;
    }

    private IRenderedComponent<BatchStrip> RenderStrip(int? datasetId, Action<SampleRef>? onOpen = null)
    {
        Render<MudSnackbarProvider>();
        return Render<BatchStrip>(p => p
            .Add(c => c.Candidates, candidates)
            .Add(c => c.DatasetId, datasetId)
            .Add(c => c.MaxSamples, 500)
            .Add(c => c.OnOpenSample, onOpen ?? (_ => { })));
    }

    private static void RunBatchOf(IRenderedComponent<BatchStrip> strip, int samples)
    {
        strip.Find("input[aria-label='Samples in the batch'], [aria-label='Samples in the batch'] input").Change(samples.ToString(System.Globalization.CultureInfo.InvariantCulture));
        strip.Find("[data-batch-run]").Click();
        strip.WaitForAssertion(() => Assert.NotEmpty(strip.FindAll("[data-batch-summary]")), Patience);
    }

    [Fact]
    public void A_batch_shows_its_progress_agreement_and_accuracy_and_continues_where_it_stopped()
    {
        SampleRef? opened = null;
        var strip = RenderStrip(dataset, s => opened = s);

        RunBatchOf(strip, 20);

        strip.WaitForAssertion(() => Assert.StartsWith("20 / 20 samples", strip.Find("[data-batch-progress]").TextContent.Trim(), StringComparison.Ordinal), Patience);
        Assert.Matches(@"^\d+(\.\d) ?%$", strip.Find("[data-batch-agreement]").TextContent.Trim());
        Assert.Equal("Accuracy of each candidate on the batch", strip.FindComponent<Plot>().Instance.Label);
        Assert.Contains("samples from #20", strip.Markup);
        if (strip.FindAll("[data-disagreement]").FirstOrDefault() is { } disagreement)
        {
            disagreement.Click();
            Assert.Equal(long.Parse(disagreement.GetAttribute("data-disagreement")!, System.Globalization.CultureInfo.InvariantCulture), opened?.Id);
        }
    }

    [Fact]
    public void Other_candidates_or_another_dataset_clear_the_figures_and_start_over()
    {
        var strip = RenderStrip(dataset);
        RunBatchOf(strip, 5);

        strip.Render(p => p.Add(c => c.Candidates, candidates.Take(1).ToList()));

        Assert.Empty(strip.FindAll("[data-batch-summary]"));
        Assert.Contains("samples from #0", strip.Markup);
    }

    [Fact]
    public void A_dataset_that_is_not_there_is_refused_in_a_snackbar()
    {
        var strip = RenderStrip(int.MaxValue);

        strip.Find("[data-batch-run]").Click();

        strip.WaitForAssertion(() => Assert.Equal($"There is no dataset {int.MaxValue}.", Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars).Message), Patience);
        Assert.Empty(strip.FindAll("[data-batch-summary]"));
    }
}
