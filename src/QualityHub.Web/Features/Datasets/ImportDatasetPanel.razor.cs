using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Models;

namespace QualityHub.Web.Features.Datasets;

/// <summary>
/// Imports a dataset from files the person chooses: the browser sends them with the fields to POST /api/datasets/upload,
/// the page follows the server's progress through <see cref="DatasetImportMonitor"/>, and Cancel aborts the request,
/// which stops the server, registers nothing and removes the uploaded files.
/// </summary>
public sealed partial class ImportDatasetPanel : IAsyncDisposable
{
    /// <summary>Problems listed on the page; the rest are counted.</summary>
    public const int IssuesShown = 20;

    private ElementReference zipInput;
    private ElementReference imagesInput;
    private ElementReference labelsInput;
    private IJSObjectReference? module;
    private IJSObjectReference? request;
    private DotNetObjectReference<ImportDatasetPanel>? receiver;
    private IDisposable? watch;
    private Run? run;

    [Inject]
    public required IJSRuntime JS { get; set; }

    [Inject]
    public required DatasetImportMonitor Monitor { get; set; }

    // Sent with the upload: a cookie-signed multipart post needs the page's antiforgery token (CrossSiteRequestGuard).
    [Inject]
    public required AntiforgeryStateProvider Antiforgery { get; set; }

    [Parameter, EditorRequired]
    public required IReadOnlyList<ModuleSummary> Modules { get; set; }

    [Parameter]
    public EventCallback Imported { get; set; }

    private ImportForm Form { get; } = new();

    private bool Running => run is { Outcome: null };

    private static IReadOnlyList<Choice<TaskType>> TaskChoices { get; } = [new(TaskType.ImageClassification, "image classification"), new(TaskType.TextRecognition, "text recognition")];

    private static IReadOnlyList<Choice<DatasetSplit>> SplitChoices { get; } = [new(DatasetSplit.Test, "test"), new(DatasetSplit.Train, "train"), new(DatasetSplit.OnlineSample, "online sample")];

    private bool CanImport => !Running && Form.Name.Trim().Length > 0 && Form.LicenceId.Trim().Length > 0;

    private void OnModuleChanged(object? value)
    {
        if (Modules.FirstOrDefault(m => m.Name == value as string) is { } chosen)
        {
            Form.TaskType = chosen.TaskType;
        }
    }

    private async Task ImportAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        run = new Run(Form.Name.Trim());
        watch?.Dispose();
        watch = Monitor.Watch(id, status => InvokeAsync(() => OnServerStatus(status)));
        module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/upload.js");
        receiver ??= DotNetObjectReference.Create(this);
        var inputs = Form.Format == ImportFormat.Zip
            ? new Dictionary<string, ElementReference> { ["zip"] = zipInput }
            : new Dictionary<string, ElementReference> { ["images"] = imagesInput, ["labelsFile"] = labelsInput };
        request = await module.InvokeAsync<IJSObjectReference?>("send", $"api/datasets/upload?progressId={id}", Form.Fields(), inputs, receiver, Antiforgery.GetAntiforgeryToken()?.Value);
    }

    private async Task CancelAsync()
    {
        if (run is { Outcome: null } current && request is not null)
        {
            current.Cancelling = true;
            await request.InvokeVoidAsync("abort");
        }
    }

    private void OnServerStatus(ImportStatus status)
    {
        if (run is not { } current)
        {
            return;
        }

        current.ServerFinished = status.Finished;
        current.Status = status.Finished ? current.Status : status;
        current.SettleCancel();
        StateHasChanged();
    }

    [JSInvokable]
    public async Task OnUploadFinished(int status, string body)
    {
        if (run is not { } current)
        {
            return;
        }

        current.RequestEnded = true;
        if (current.Cancelling)
        {
            current.SettleCancel();
        }
        else
        {
            current.Outcome = RunOutcome.FromResponse(status, body);
            if (current.Outcome.DatasetId is not null)
            {
                Form.Name = "";
                await Imported.InvokeAsync();
            }
        }

        await InvokeAsync(StateHasChanged);
    }

    private static string Describe(ImportStatus s)
    {
        var rate = s.PerSecond <= 0 ? ""
            : s.Phase == ImportStatus.Receiving ? $" ({Formats.Bytes((long)s.PerSecond)}/s)"
            : $" ({s.PerSecond:N0} items/s)";
        return s.Phase == ImportStatus.Receiving
            ? $"Uploading: {Formats.Bytes(s.Done)} of {Formats.Bytes(s.Total)}{rate}"
            : $"{char.ToUpperInvariant(s.Phase[0])}{s.Phase[1..]}: {s.Done:N0} of {s.Total:N0} items{rate}";
    }

    public async ValueTask DisposeAsync()
    {
        watch?.Dispose();
        receiver?.Dispose();
        try
        {
            if (request is not null)
            {
                await request.DisposeAsync();
            }

            if (module is not null)
            {
                await module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
        }
    }

    private sealed record Choice<T>(T Value, string Text);

    /// <summary>One press of Import: what the server last said, and how it ended.</summary>
    private sealed class Run(string name)
    {
        public string Name { get; } = name;

        public ImportStatus? Status { get; set; }

        public bool Cancelling { get; set; }

        public bool RequestEnded { get; set; }

        public bool ServerFinished { get; set; }

        public RunOutcome? Outcome { get; set; }

        // Cancelled once the browser's request has ended and the server has cleaned up (or never started).
        public void SettleCancel()
        {
            if (Cancelling && RequestEnded && (ServerFinished || Status is null) && Outcome is null)
            {
                Outcome = new RunOutcome(Severity.Info, "Import cancelled: nothing was registered and the uploaded files were removed.", [], 0, null);
            }
        }
    }

    /// <summary>How a run ended: a message and its style, the problems listed (the first <see cref="IssuesShown"/>) and counted, and the new dataset's id.</summary>
    private sealed record RunOutcome(Severity Style, string Message, IReadOnlyList<string> Issues, int IssueCount, int? DatasetId)
    {
        public static RunOutcome FromResponse(int status, string body)
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                if (status == 201)
                {
                    return new RunOutcome(Severity.Success, $"Imported {root.GetProperty("samples").GetInt32():N0} samples.", [], 0, root.GetProperty("id").GetInt32());
                }

                var issues = root.TryGetProperty("issues", out var list)
                    ? list.EnumerateArray().Take(IssuesShown).Select(i => $"{i.GetProperty("item").GetString()}: {i.GetProperty("problem").GetString()}").ToList()
                    : [];
                var count = root.TryGetProperty("issueCount", out var n) ? n.GetInt32() : issues.Count;
                return new RunOutcome(Severity.Error, root.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body, issues, count, null);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return new RunOutcome(Severity.Error, body.Length > 0 ? body : $"The upload failed (HTTP {status}).", [], 0, null);
            }
        }
    }
}

/// <summary>Which files an import comes from.</summary>
public enum ImportFormat
{
    Zip,
    Idx,
}

/// <summary>What the person fills in; sent as the upload's multipart fields.</summary>
public sealed class ImportForm
{
    public string Name { get; set; } = "";

    public string? ModuleName { get; set; }

    public TaskType TaskType { get; set; } = TaskType.ImageClassification;

    public DatasetSplit Split { get; set; } = DatasetSplit.Test;

    public string Source { get; set; } = "";

    public string LicenceId { get; set; } = "";

    public bool CommercialUseAllowed { get; set; }

    public string Attribution { get; set; } = "";

    public string Labels { get; set; } = "";

    public ImportFormat Format { get; set; } = ImportFormat.Zip;

    public Dictionary<string, string> Fields() => new()
    {
        ["name"] = Name.Trim(),
        ["moduleName"] = ModuleName ?? "",
        ["taskType"] = TaskType.ToString(),
        ["split"] = Split.ToString(),
        ["source"] = Source,
        ["licenceId"] = LicenceId.Trim(),
        ["commercialUseAllowed"] = CommercialUseAllowed ? "true" : "false",
        ["attribution"] = Attribution,
        ["labels"] = Labels,
    };
}
