using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;
using MudBlazor;

namespace QualityHub.Web.Features.Models;

/// <summary>The Models page's register panel: the file goes from the browser to the API; refusals land on their field.</summary>
public sealed partial class RegisterModelPanel
{
    private const string FileErrorId = "register-model-file-error";

    private readonly RegistrationForm form = new(TimeProvider.System);
    private ElementReference fileInput;
    private IJSObjectReference? module;
    private DotNetObjectReference<RegisterModelPanel>? receiver;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    // Sent with the upload: a cookie-signed multipart post needs the page's antiforgery token (CrossSiteRequestGuard).
    [Inject]
    private AntiforgeryStateProvider Antiforgery { get; set; } = null!;

    [Parameter, EditorRequired]
    public required IReadOnlyList<ModuleSummary> Modules { get; set; }

    [Parameter]
    public EventCallback Registered { get; set; }

    private void Edit(string field, Action change)
    {
        change();
        form.Edited(field);
    }

    private async Task RegisterAsync()
    {
        form.Start();
        module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/upload.js");
        receiver ??= DotNetObjectReference.Create(this);
        await module.InvokeVoidAsync("upload", fileInput, form.Url, "file", receiver, Antiforgery.GetAntiforgeryToken()?.Value);
    }

    [JSInvokable]
    public async Task OnUploadProgress(long loadedBytes, long totalBytes)
    {
        form.Report(loadedBytes, totalBytes);
        await InvokeAsync(StateHasChanged);
    }

    [JSInvokable]
    public async Task OnUploadFinished(int status, string body)
    {
        var outcome = form.Finish(status, body);
        if (outcome.Registered)
        {
            Snackbar.Add(outcome.Message, Severity.Success);
            await Registered.InvokeAsync();
        }
        else if (outcome.Field is null)
        {
            Snackbar.Add(outcome.Message, Severity.Error);
        }

        await InvokeAsync(StateHasChanged);
    }

    public async ValueTask DisposeAsync()
    {
        receiver?.Dispose();
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }
}
