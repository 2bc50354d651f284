using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Evaluations;
using QualityHub.Web.Features.Gallery;
using QualityHub.Web.Features.Labeling;

namespace QualityHub.Web.Tests.Components.Labeling;

/// <summary>
/// The new-job form over the real labeling service on a SQLite file of its own: each refusal shows under the input it is
/// about, one that names no input of the form in an alert, and a job that is made is handed to the page.
/// </summary>
public sealed class NewLabelingJobPanelTests : ComponentTests, IAsyncLifetime
{
    private static readonly string[] Labels = ["cat", "dog", "bird"];
    private readonly TempFolder folder = new("qualityhub-labeling-panel-");
    private readonly List<LabelingJobView> created = [];
    private IReadOnlyList<FlaggedDataset> flagged = [];

    public NewLabelingJobPanelTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = folder.Path }).Build();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddQualityHubData(configuration);
        Services.AddSingleton<EvaluationNotifier>();
        Services.AddSingleton<EvaluationCatalog>();
        Services.AddSingleton<DatasetCatalog>();
        Services.AddGalleryFeature();
        Services.AddLabelingFeature();
    }

    public async Task InitializeAsync()
    {
        // Roles first: the service provider is built by the first service asked for.
        SignInAs(QualityHubRoles.DataCurator);
        await Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        await SeedAsync();
        flagged = await Services.GetRequiredService<LabelingJobs>().FlaggedDatasetsAsync();
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        folder.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A module's dataset of 12 samples, 3 of them flagged as wrongly labelled (9 trusted samples can be gold), and a flagged dataset of no module.</summary>
    private async Task SeedAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        var module = new Module { Name = "pets", TaskType = TaskType.ImageClassification, InputDescription = "photo", OutputDescription = "label", CreatedAt = DateTimeOffset.UtcNow };
        var dataset = new Dataset
        {
            Name = "pets-test",
            Module = module,
            TaskType = TaskType.ImageClassification,
            Split = DatasetSplit.Test,
            LicenceId = "CC-BY-4.0",
            CommercialUseAllowed = true,
            Labels = [.. Labels],
            CreatedAt = DateTimeOffset.UtcNow,
        };
        dataset.Samples.AddRange(Enumerable.Range(0, 12).Select(i => new Sample { Ordinal = i, ImageSha256 = $"{i:x64}", Width = 8, Height = 8, GroundTruth = Labels[i % 3] }));
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync();
        // A dataset of no module with a flag: listed for relabelling, but a job labels a module's data.
        var scans = new Dataset { Name = "scans", Split = DatasetSplit.Test, LicenceId = "CC0-1.0", CommercialUseAllowed = true, Labels = [.. Labels], CreatedAt = DateTimeOffset.UtcNow };
        scans.Samples.Add(new Sample { Ordinal = 0, ImageSha256 = $"{99:x64}", Width = 8, Height = 8, GroundTruth = "cat" });
        db.Datasets.Add(scans);
        await db.SaveChangesAsync();
        db.GroundTruthFlags.AddRange(dataset.Samples.Take(3).Append(scans.Samples[0]).Select(s => new GroundTruthFlag { SampleId = s.Id, SuggestedLabel = "bird", Reason = "looks like a bird", FlaggedBy = "test", FlaggedAt = DateTimeOffset.UtcNow }));
        await db.SaveChangesAsync();
    }

    private IRenderedComponent<NewLabelingJobPanel> RenderPanel()
    {
        Render<MudPopoverProvider>();
        return Render<NewLabelingJobPanel>(p => p.Add(c => c.Flagged, flagged).Add(c => c.Created, job => created.Add(job)));
    }

    /// <summary>The MudBlazor input control (label, input, helper or error text) whose input carries data-field <paramref name="field"/>.</summary>
    private static AngleSharp.Dom.IElement Control(IRenderedComponent<NewLabelingJobPanel> panel, string field) =>
        panel.Find($"[data-field='{field}']").Closest(".mud-input-control")!;

    /// <summary>The error texts under the inputs (MudBlazor marks the control, its label and its helper text with mud-input-error; the text is in the helper).</summary>
    private static IReadOnlyList<AngleSharp.Dom.IElement> Errors(IRenderedComponent<NewLabelingJobPanel> panel) =>
        panel.FindAll(".mud-input-helper-text.mud-input-error");

    private static void Fill(IRenderedComponent<NewLabelingJobPanel> panel, string field, string value) =>
        panel.Find($"input[data-field='{field}'], textarea[data-field='{field}']").Change(value);

    private static void Create(IRenderedComponent<NewLabelingJobPanel> panel) =>
        panel.Find("[data-action='create-labeling-job']").Click();

    [Fact]
    public void A_currency_that_is_not_an_iso_code_is_refused_under_the_currency_input_and_nothing_is_made()
    {
        var panel = RenderPanel();
        Fill(panel, "name", "Pets relabel");
        Fill(panel, "currency", "EU");

        Create(panel);

        panel.WaitForAssertion(() => Assert.Contains("currency is a three-letter ISO 4217 code such as EUR or USD, not \"EU\".", Control(panel, "currency").TextContent));
        Assert.Equal("true", panel.Find("input[data-field='currency']").GetAttribute("aria-invalid"));
        var error = Assert.Single(Errors(panel));
        Assert.Contains("ISO 4217", error.TextContent);
        Assert.DoesNotContain("ISO 4217", Control(panel, "name").TextContent);
        Assert.Empty(panel.FindAll("[role=alert]"));
        Assert.Empty(created);
    }

    [Fact]
    public void More_gold_items_than_the_dataset_has_trusted_samples_is_refused_under_the_gold_input()
    {
        var panel = RenderPanel();
        Fill(panel, "name", "Pets relabel");
        Fill(panel, "goldCount", "10");

        Create(panel);

        panel.WaitForAssertion(() => Assert.Contains("has 9 trusted samples outside the job, fewer than the 10 gold items asked for", Control(panel, "goldCount").TextContent));
        Assert.Single(Errors(panel));
        Assert.Empty(created);
    }

    [Fact]
    public void An_empty_name_is_refused_under_the_name_input_and_a_second_try_clears_it()
    {
        var panel = RenderPanel();

        Create(panel);

        panel.WaitForAssertion(() => Assert.Contains("name must not be empty.", Control(panel, "name").TextContent));
        Assert.Single(Errors(panel));

        Fill(panel, "name", "Pets relabel");
        Fill(panel, "goldCount", "4");
        Create(panel);

        panel.WaitForAssertion(() => Assert.Single(created));
        Assert.Empty(Errors(panel));
        var job = created[0];
        Assert.Equal(("Pets relabel", "draft", 7, 4, "EUR"), (job.Name, job.Status, job.Items, job.GoldItems, job.Currency));
    }

    [Fact]
    public async Task A_refusal_that_names_no_input_of_the_form_is_shown_as_an_alert()
    {
        var panel = RenderPanel();
        Fill(panel, "name", "Loose scans");
        var scans = flagged.Single(f => f.Name == "scans").Id;
        await panel.InvokeAsync(() => panel.FindComponent<MudSelect<int?>>().Instance.ValueChanged.InvokeAsync(scans));

        Create(panel);

        panel.WaitForAssertion(() => Assert.Contains("Dataset \"scans\" belongs to no module", panel.Find("[role=alert]").TextContent));
        Assert.Empty(Errors(panel));
        Assert.Empty(created);
    }
}
