using Microsoft.Playwright;

namespace QualityHub.BrowserTests.Support;

/// <summary>The Datasets page's "Import a dataset" panel as a person fills it in.</summary>
public sealed class ImportPanel(IPage page)
{
    public ILocator Root => page.GetByLabel("Import a dataset");

    public ILocator Progress => Root.GetByRole(AriaRole.Status, new() { Name = "Import progress" });

    public ILocator Outcome => Root.GetByRole(AriaRole.Alert);

    public ILocator Problems => Root.GetByRole(AriaRole.List, new() { Name = "Problems" }).GetByRole(AriaRole.Listitem);

    public async Task FillAsync(string name, string licence, string labels, bool commercial = true)
    {
        await Root.Locator("input[name=name]").FillAsync(name);
        await Root.Locator("input[name=licence]").FillAsync(licence);
        await Root.Locator("input[name=labels]").FillAsync(labels);
        await Root.Locator("input[name=attribution]").FillAsync("QualityHub browser tests");
        if (commercial)
        {
            await Root.GetByText("Commercial use allowed").ClickAsync();
        }
    }

    public Task ChooseZipAsync(string path) => Root.GetByLabel("Zip file").SetInputFilesAsync(path);

    public async Task ChooseIdxAsync(string images, string labels)
    {
        await Root.GetByText("IDX images + labels").ClickAsync();
        await Root.GetByLabel("IDX images file").SetInputFilesAsync(images);
        await Root.GetByLabel("IDX labels file").SetInputFilesAsync(labels);
    }

    public Task ImportAsync() => Root.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

    public Task CancelAsync() => Root.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
}
