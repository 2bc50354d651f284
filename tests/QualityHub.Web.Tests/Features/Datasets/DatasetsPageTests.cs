using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Datasets;

/// <summary>The Datasets page over the real catalog on a SQLite file of its own: the list, who may import, and the list after an import.</summary>
public sealed class DatasetsPageTests : ComponentTests, IAsyncLifetime
{
    private readonly TempFolder folder = new("qualityhub-datasets-page-");

    public DatasetsPageTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = folder.Path }).Build();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddQualityHubData(configuration);
        Services.AddSingleton<DatasetCatalog>();
        Services.AddModelsFeature();
        Services.AddSingleton<DatasetImportMonitor>();
    }

    public async Task InitializeAsync()
    {
        // Roles first: the service provider is built by the first service asked for.
        SignInAs(QualityHubRoles.Modeler);
        await Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        folder.Dispose();
        return Task.CompletedTask;
    }

    private async Task AddDatasetAsync(string name, bool commercial)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync();
        db.Datasets.Add(new Dataset { Name = name, LicenceId = commercial ? "CC-BY-4.0" : "CC-BY-NC-4.0", CommercialUseAllowed = commercial, Split = DatasetSplit.Test, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    [Fact]
    public void An_empty_registry_says_how_to_import_and_a_modeler_gets_the_import_form()
    {
        var cut = Render<DatasetsPage>();

        cut.WaitForAssertion(() => Assert.Contains("No datasets yet.", cut.Markup));
        Assert.Single(cut.FindAll("[data-action=import-dataset] [aria-label='Import a dataset']"));
    }

    [Fact]
    public async Task Each_dataset_is_linked_with_its_licence_and_whether_it_may_ship()
    {
        await AddDatasetAsync("pets", commercial: true);
        await AddDatasetAsync("scans", commercial: false);

        var cut = Render<DatasetsPage>();

        cut.WaitForAssertion(() => Assert.Equal(["pets", "scans"], cut.FindAll("a[href^='datasets/']").Select(a => a.TextContent)));
        Assert.Contains("CC-BY-4.0 · commercial use allowed", cut.Markup);
        Assert.Contains("CC-BY-NC-4.0 · no commercial use", cut.Markup);
        Assert.DoesNotContain("No datasets yet.", cut.Markup);
    }

    [Fact]
    public async Task A_finished_import_reloads_the_list()
    {
        JSInterop.SetupModule("./js/upload.js").SetupModule(invocation => invocation.Identifier == "send");
        var cut = Render<DatasetsPage>();
        cut.WaitForAssertion(() => Assert.Contains("No datasets yet.", cut.Markup));
        var panel = cut.FindComponent<ImportDatasetPanel>();
        panel.Find("input[name=name]").Input("pets");
        panel.Find("input[name=licence]").Input("CC-BY-4.0");
        panel.FindAll("button").Single(b => b.TextContent.Trim().EndsWith("Import", StringComparison.Ordinal)).Click();

        await AddDatasetAsync("pets", commercial: true); // what the upload endpoint would have stored
        await panel.InvokeAsync(() => panel.Instance.OnUploadFinished(201, """{"id": 1, "samples": 0}"""));

        cut.WaitForAssertion(() => Assert.Equal(["pets"], cut.FindAll("a[href^='datasets/']").Where(a => a.TextContent == "pets").Select(a => a.TextContent)));
        Assert.DoesNotContain("No datasets yet.", cut.Markup);
    }
}
