using Bunit;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Tests.Features.Models;

/// <summary>The register panel with the browser's upload stood in for: progress, refusals on their field, results in a snackbar.</summary>
public sealed class RegisterModelPanelTests : ComponentTests
{
    private static readonly IReadOnlyList<ModuleSummary> Modules =
        [new(1, "card-text-recognizer", TaskType.TextRecognition, "line", "text", "", 1), new(2, "classifier", TaskType.ImageClassification, "image", "label", "", 0)];

    private readonly BunitJSModuleInterop upload;
    private int registered;

    public RegisterModelPanelTests()
    {
        upload = JSInterop.SetupModule("./js/upload.js");
        upload.SetupVoid("upload", _ => true);
    }

    private (IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<RegisterModelPanel> Panel) RenderPanel()
    {
        Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var panel = Render<RegisterModelPanel>(p => p.Add(c => c.Modules, Modules).Add(c => c.Registered, () => registered++));
        return (snackbars, panel);
    }

    private static async Task FillAsync(IRenderedComponent<RegisterModelPanel> panel, string module, string version)
    {
        await panel.InvokeAsync(() => panel.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync(module));
        panel.Find("input[name=version]").Input(version);
    }

    [Fact]
    public async Task Register_sends_the_file_with_the_typed_fields_and_shows_progress_with_rate()
    {
        var (_, panel) = RenderPanel();
        Assert.True(panel.FindAll("button").Single(b => b.TextContent.Contains("Register")).HasAttribute("disabled"));

        await FillAsync(panel, "card-text-recognizer", "v2");
        await panel.InvokeAsync(() => panel.FindAll("button").Single(b => b.TextContent.Contains("Register")).Click());
        await panel.InvokeAsync(() => panel.Instance.OnUploadProgress(4 * 1048576, 10 * 1048576));

        var call = Assert.Single(upload.Invocations, i => i.Identifier == "upload");
        Assert.Equal("api/models?module=card-text-recognizer&version=v2&notes=", call.Arguments[1]);
        Assert.Equal(AntiforgeryTokenValue, call.Arguments[4]); // a cookie-signed multipart post needs it
        Assert.Equal("40", panel.Find("[aria-label='Upload progress']").GetAttribute("aria-valuenow"));
        Assert.Contains("40 % · 4 MiB of 10 MiB", panel.Markup);
        Assert.Contains("/s", panel.Markup);
    }

    [Fact]
    public async Task A_refusal_of_the_version_shows_on_the_version_field_and_not_in_a_snackbar()
    {
        var (snackbars, panel) = RenderPanel();
        await FillAsync(panel, "card-text-recognizer", "v1");

        await panel.InvokeAsync(() => panel.Instance.OnUploadFinished(422, """{"detail":"Module 'card-text-recognizer' already has a version 'v1'.","field":"version"}"""));

        var version = panel.Find("input[name=version]");
        Assert.Equal("true", version.GetAttribute("aria-invalid"));
        Assert.Contains("already has a version 'v1'", panel.Find(".mud-input-error").TextContent);
        Assert.Empty(snackbars.FindAll("[role=status] .mud-snackbar"));
        Assert.Equal(0, registered);

        panel.Find("input[name=version]").Input("v3");
        Assert.Empty(panel.FindAll(".mud-input-error"));
    }

    [Fact]
    public async Task A_refused_file_shows_on_the_file_field_described_by_the_reason()
    {
        var (_, panel) = RenderPanel();

        await panel.InvokeAsync(() => panel.Instance.OnUploadFinished(422, """{"detail":"x.onnx cannot be registered: not an ONNX model.","field":"file"}"""));

        var file = panel.Find("input[type=file]");
        Assert.Equal("true", file.GetAttribute("aria-invalid"));
        Assert.Contains("not an ONNX model", panel.Find($"#{file.GetAttribute("aria-describedby")}").TextContent);
    }

    [Fact]
    public async Task A_refusal_of_no_field_on_the_form_goes_to_a_snackbar()
    {
        var (snackbars, panel) = RenderPanel();

        await panel.InvokeAsync(() => panel.Instance.OnUploadFinished(0, """{"detail":"The upload failed: the connection to the server was lost."}"""));

        snackbars.WaitForAssertion(() => Assert.Contains("connection to the server was lost", snackbars.Find("[role=status]").TextContent));
        Assert.Empty(panel.FindAll("[aria-invalid=true]"));
    }

    [Fact]
    public async Task A_registration_is_announced_the_page_reloads_and_the_version_empties()
    {
        var (snackbars, panel) = RenderPanel();
        await FillAsync(panel, "card-text-recognizer", "v2");

        await panel.InvokeAsync(() => panel.Instance.OnUploadFinished(201, "{}"));

        snackbars.WaitForAssertion(() => Assert.Contains("Registered card-text-recognizer/v2.", snackbars.Find("[role=status]").TextContent));
        Assert.Equal(1, registered);
        Assert.Equal("", panel.Find("input[name=version]").GetAttribute("value") ?? "");
    }
}
