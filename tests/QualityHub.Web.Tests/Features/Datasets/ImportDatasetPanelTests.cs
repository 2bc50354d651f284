using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Datasets;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Datasets;

/// <summary>
/// The Datasets page's import form: what it checks before sending, what it sends to wwwroot/js/upload.js, and how it
/// shows the server's answer (the upload itself is the browser's; the browser tests cover it end to end).
/// </summary>
public sealed class ImportDatasetPanelTests : ComponentTests
{
    private readonly BunitJSModuleInterop uploadJs;
    private int imported;

    public ImportDatasetPanelTests()
    {
        Services.AddSingleton<DatasetImportMonitor>();
        uploadJs = JSInterop.SetupModule("./js/upload.js");
        uploadJs.SetupModule(invocation => invocation.Identifier == "send");
    }

    private IRenderedComponent<ImportDatasetPanel> RenderPanel() => Render<ImportDatasetPanel>(p => p
        .Add(c => c.Modules, [new ModuleSummary(1, "fashion", TaskType.ImageClassification, "28×28 gray image", "one of 10 classes", "", 3)])
        .Add(c => c.Imported, () => imported++));

    // A button's text follows its icon's ligature ("uploadImport").
    private static IElement Button(IRenderedComponent<ImportDatasetPanel> cut, string text) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim().EndsWith(text, StringComparison.Ordinal));

    private static void Fill(IRenderedComponent<ImportDatasetPanel> cut, string name, string licence)
    {
        cut.Find("input[name=name]").Input(name);
        cut.Find("input[name=licence]").Input(licence);
    }

    private IRenderedComponent<ImportDatasetPanel> StartImport()
    {
        var cut = RenderPanel();
        Fill(cut, "  pets  ", " CC-BY-4.0 ");
        Button(cut, "Import").Click();
        return cut;
    }

    [Fact]
    public void Import_waits_for_a_name_and_a_licence()
    {
        var cut = RenderPanel();
        Assert.True(Button(cut, "Import").HasAttribute("disabled"));

        cut.Find("input[name=name]").Input("pets");
        Assert.True(Button(cut, "Import").HasAttribute("disabled"));

        cut.Find("input[name=licence]").Input("   ");
        Assert.True(Button(cut, "Import").HasAttribute("disabled"));

        cut.Find("input[name=licence]").Input("CC-BY-4.0");
        Assert.False(Button(cut, "Import").HasAttribute("disabled"));
        Assert.Empty(uploadJs.Invocations);
    }

    [Fact]
    public void Import_sends_the_trimmed_fields_and_the_zip_with_a_progress_id_and_offers_Cancel()
    {
        var cut = StartImport();

        var send = Assert.Single(uploadJs.Invocations, i => i.Identifier == "send");
        Assert.Matches("^api/datasets/upload\\?progressId=[0-9a-f]{32}$", (string)send.Arguments[0]!);
        var fields = Assert.IsType<Dictionary<string, string>>(send.Arguments[1]);
        Assert.Equal("pets", fields["name"]);
        Assert.Equal("CC-BY-4.0", fields["licenceId"]);
        Assert.Equal("Test", fields["split"]);
        Assert.Equal("false", fields["commercialUseAllowed"]);
        Assert.Equal(["zip"], Assert.IsAssignableFrom<IDictionary<string, Microsoft.AspNetCore.Components.ElementReference>>(send.Arguments[2]).Keys);
        Assert.IsType<DotNetObjectReference<ImportDatasetPanel>>(send.Arguments[3]);
        Assert.Equal(AntiforgeryTokenValue, send.Arguments[4]); // a cookie-signed multipart post needs it
        Assert.True(Button(cut, "Import").HasAttribute("disabled"));
        Assert.False(Button(cut, "Cancel").HasAttribute("disabled"));
        Assert.Contains("Starting…", cut.Find("[role=status]").TextContent);
    }

    [Fact]
    public async Task A_created_dataset_is_linked_the_page_told_and_the_form_ready_for_the_next()
    {
        var cut = StartImport();

        await cut.InvokeAsync(() => cut.Instance.OnUploadFinished(201, """{"id": 42, "samples": 1234}"""));

        Assert.Contains("pets: Imported 1,234 samples.", cut.Markup);
        Assert.Equal("Open pets", cut.Find("a[href='datasets/42']").TextContent);
        Assert.Equal(1, imported);
        Assert.Equal("", cut.Find("input[name=name]").GetAttribute("value") ?? "");
        Assert.True(Button(cut, "Import").HasAttribute("disabled")); // no name any more
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Contains("Cancel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_lists_the_first_problems_and_counts_the_rest()
    {
        var cut = StartImport();
        var issues = string.Join(",", Enumerable.Range(1, 25).Select(i => $$"""{"item": "images/{{i}}.png", "problem": "label 'unicorn' is not one of the labels"}"""));

        await cut.InvokeAsync(() => cut.Instance.OnUploadFinished(400, $$"""{"detail": "25 rows cannot be imported.", "issues": [{{issues}}], "issueCount": 31}"""));

        Assert.Contains("25 rows cannot be imported.", cut.Markup);
        var listed = cut.FindAll("ul.qh-issues li");
        Assert.Equal(ImportDatasetPanel.IssuesShown, listed.Count);
        Assert.Equal("images/1.png: label 'unicorn' is not one of the labels", listed[0].TextContent);
        Assert.Contains("… and 11 more.", cut.Markup);
        Assert.Equal(0, imported);
        Assert.Equal("pets", cut.Find("input[name=name]").GetAttribute("value")?.Trim()); // kept, to fix and try again
    }

    [Fact]
    public async Task An_answer_that_is_not_JSON_is_shown_as_it_came()
    {
        var cut = StartImport();

        await cut.InvokeAsync(() => cut.Instance.OnUploadFinished(502, ""));

        Assert.Contains("The upload failed (HTTP 502).", cut.Markup);
    }

    [Fact]
    public async Task Cancel_aborts_the_request_and_says_nothing_was_registered_once_the_request_has_ended()
    {
        var cut = StartImport();

        Button(cut, "Cancel").Click();

        Assert.Single(JSInterop.Invocations, i => i.Identifier == "abort");
        Assert.True(Button(cut, "Cancelling…").HasAttribute("disabled"));

        await cut.InvokeAsync(() => cut.Instance.OnUploadFinished(0, ""));

        Assert.Contains("Import cancelled: nothing was registered and the uploaded files were removed.", cut.Markup);
        Assert.Equal(0, imported);
    }
}
