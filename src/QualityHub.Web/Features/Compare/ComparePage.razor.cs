using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Data.Registry;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Models;
using QualityHub.Web.Features.Pipelines;

namespace QualityHub.Web.Features.Compare;

/// <summary>The Compare page: one input through up to four candidates, each answer shown as it arrives.</summary>
public sealed partial class ComparePage
{
    private const int StripSize = 12;
    private IReadOnlyList<ModuleSummary> modules = [];
    private IReadOnlyList<ModelVersionSummary> versions = [];
    private IReadOnlyList<DatasetChoice> datasets = [];
    private IReadOnlyList<SampleRef> strip = [];
    private IReadOnlyList<string> collectionNames = [];
    private IReadOnlyList<PipelineInfo> pipelines = [];
    private IReadOnlyList<int>? askedPipelineVersions;
    private int? moduleId;
    private int? datasetId;
    private string? labelFilter;
    private string? tagFilter;
    private int inputTab;
    private string? uploadError;
    private string? drawingError;
    private double? serverMs;
    private bool searching;
    private CancellationTokenSource? current;
    private readonly CancellationTokenSource lifetime = new();
    private ElementReference fileInput;
    private ElementReference canvas;
    private bool canvasReady;
    private bool interactive;
    private IJSObjectReference? js;
    private DotNetObjectReference<ComparePage>? self;

    [Inject]
    private ModelCatalog Catalog { get; set; } = null!;

    [Inject]
    private CandidateSource Source { get; set; } = null!;

    [Inject]
    private ComparisonRunner Runner { get; set; } = null!;

    [Inject]
    private SamplePicker Picker { get; set; } = null!;

    [Inject]
    private SampleCollections Collections { get; set; } = null!;

    [Inject]
    private PipelineRegistry Pipelines { get; set; } = null!;

    [Inject]
    private IOptions<CompareOptions> Options { get; set; } = null!;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    /// <summary>The comparison on show; its own class so its rules are tested without a page.</summary>
    internal ComparisonState State { get; } = new();

    private enum InputKind
    {
        Upload,
        Drawing,
        Paste,
    }

    private ModuleSummary? SelectedModule => modules.FirstOrDefault(m => m.Id == moduleId);

    private bool Drawable => SelectedModule?.TaskType == TaskType.ImageClassification;

    /// <summary>A pipeline's versions read a card photo through their stages: compared by <see cref="PipelineReadPanel"/>, not by candidates.</summary>
    private bool IsPipeline => SelectedModule?.TaskType == TaskType.Pipeline;

    private DatasetChoice? Dataset => datasets.FirstOrDefault(d => d.Id == datasetId);

    protected override async Task OnInitializedAsync()
    {
        modules = await Catalog.GetModulesAsync(lifetime.Token);
        var query = QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        int? asked = int.TryParse(query.GetValueOrDefault("module"), out var m) ? m : null;
        if (query.GetValueOrDefault("versions").ToString() is { Length: > 0 } pipelineList)
        {
            askedPipelineVersions = pipelineList.Split(',').Select(v => int.TryParse(v, out var id) ? id : 0).ToList();
        }

        await SelectModuleAsync(asked ?? modules.FirstOrDefault(x => x.Versions >= 2 && x.TaskType != TaskType.Pipeline)?.Id ?? modules.FirstOrDefault()?.Id);
        if (!IsPipeline && query.GetValueOrDefault("versions").ToString() is { Length: > 0 } list)
        {
            State.ChooseOnly(list.Split(',').Select(v => int.TryParse(v, out var id) ? id : 0), versions);
            await ResolveAsync();
        }

        if (long.TryParse(query.GetValueOrDefault("sample"), out var sampleId))
        {
            await CompareSampleAsync(sampleId);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            if (firstRender)
            {
                var imported = await JS.InvokeAsync<IJSObjectReference>("import", "./js/compare.js");
                if (lifetime.IsCancellationRequested)
                {
                    // The page was left while the script loaded: listen for nothing.
                    await imported.DisposeAsync();
                    return;
                }

                js = imported;
                self = DotNetObjectReference.Create(this);
                await js.InvokeVoidAsync("listenForPaste", self, Options.Value.MaxImageBytes);
                interactive = true;
                StateHasChanged();
            }

            // The pad exists only for classifier modules; a new pad needs its drawing handlers.
            if (Drawable && !canvasReady && js is not null)
            {
                await js.InvokeVoidAsync("setUpCanvas", canvas);
                canvasReady = true;
            }

            canvasReady &= Drawable;
        }
        catch (JSDisconnectedException)
        {
        }
    }

    private async Task SelectModuleAsync(int? id)
    {
        moduleId = id;
        current?.Cancel();
        if (IsPipeline)
        {
            pipelines = (await Pipelines.ListAsync(lifetime.Token)).Where(p => p.ModuleId == id).ToList();
            (versions, datasets, collectionNames, strip, datasetId) = ([], [], [], [], null);
            State.ChooseDefault(versions);
            State.ClearInput();
            return;
        }

        versions = id is { } moduleKey ? await Catalog.GetVersionsAsync(moduleKey, lifetime.Token) : [];
        State.ChooseDefault(versions);
        datasets = id is { } key ? await Picker.DatasetsOfAsync(key, lifetime.Token) : [];
        collectionNames = id is { } owner ? await Collections.NamesAsync(owner, lifetime.Token) : [];
        State.ClearInput();
        (uploadError, drawingError) = (null, null);
        await ResolveAsync();
        await SelectDatasetAsync(datasets.FirstOrDefault(d => d.Samples > 0)?.Id);
    }

    private async Task SelectDatasetAsync(int? id)
    {
        datasetId = id;
        (labelFilter, tagFilter) = (null, null);
        await ShuffleAsync();
    }

    private async Task ToggleVersionAsync(int id, bool chosen)
    {
        if (!State.Toggle(id, chosen))
        {
            Snackbar.Add($"Compare at most {CompareOptions.MaxCandidates} candidates at once; untick one first.", Severity.Warning);
            return;
        }

        await ResolveAsync();
    }

    private async Task ResolveAsync()
    {
        try
        {
            State.Resolved(State.ChosenIds.Count == 0 ? [] : await Source.ResolveAsync([.. State.ChosenIds], lifetime.Token));
        }
        catch (CompareException e)
        {
            State.Resolved([]);
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private async Task ShuffleAsync() =>
        strip = datasetId is { } id ? await Picker.RandomAsync(id, labelFilter, tagFilter, StripSize, lifetime.Token) : [];

    private Task OpenSampleAsync(SampleRef sample) => CompareSampleAsync(sample.Id);

    private async Task CompareSampleAsync(long sampleId)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var sampleInput = await Source.SampleInputAsync(sampleId, lifetime.Token);
            await CompareAsync(sampleInput, $"api/samples/{sampleId}/image", $"Sample #{sampleInput.Sample!.Ordinal} of {Dataset?.Name ?? "its dataset"}", null, started);
        }
        catch (CompareException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private async Task FindDisagreementAsync()
    {
        if (datasetId is not { } id)
        {
            return;
        }

        searching = true;
        try
        {
            var (found, tried) = await Picker.DisagreementAsync(State.Candidates, id, labelFilter, tagFilter, lifetime.Token);
            if (found?.Sample is { } sample)
            {
                await CompareAsync(found, $"api/samples/{sample.Id}/image", $"Sample #{sample.Ordinal}: found after {tried} random samples", null, Stopwatch.GetTimestamp());
            }
            else
            {
                Snackbar.Add(tried == 0 ? "No sample matches the filters." : $"The candidates agreed on all {tried} random samples tried.", Severity.Info);
            }
        }
        finally
        {
            searching = false;
        }
    }

    private async Task UploadAsync() =>
        await TakeHeldImageAsync(await js!.InvokeAsync<HeldImage>("holdFile", fileInput, Options.Value.MaxImageBytes), InputKind.Upload, "Uploaded image");

    private async Task CompareDrawingAsync() =>
        await TakeHeldImageAsync(await js!.InvokeAsync<HeldImage>("holdDrawing", canvas, Options.Value.MaxImageBytes), InputKind.Drawing, "Drawing");

    private async Task ClearCanvasAsync() => await js!.InvokeVoidAsync("clearCanvas", canvas);

    /// <summary>compare.js hands over an image pasted anywhere on the page, or why it refused it (too large, not an image).</summary>
    [JSInvokable]
    public Task OnPasted(HeldImage held) => IsPipeline ? Task.CompletedTask : InvokeAsync(() => TakeHeldImageAsync(held, InputKind.Paste, "Pasted image"));

    private async Task TakeHeldImageAsync(HeldImage held, InputKind kind, string label)
    {
        Refuse(kind, null);
        if (!held.Ok)
        {
            Refuse(kind, held.Error ?? "The browser could not take the image.");
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var stream = await js!.InvokeAsync<IJSStreamReference>("takePending", lifetime.Token);
            await using var data = await stream.OpenReadStreamAsync(Options.Value.MaxImageBytes, lifetime.Token);
            using var buffer = new MemoryStream();
            await data.CopyToAsync(buffer, lifetime.Token);
            var png = buffer.ToArray();
            await CompareAsync(Source.UploadedInput(png), held.PreviewUrl, $"{label}, {Formats.Bytes(png.Length)} PNG", png, started);
        }
        catch (CompareException e)
        {
            Refuse(kind, e.Message);
        }
        catch (InvalidOperationException e)
        {
            Refuse(kind, $"The image did not arrive: {e.Message}");
        }
    }

    // An upload's or a drawing's refusal shows under its own field; a paste has no field, so it goes to the snackbar.
    private void Refuse(InputKind kind, string? text)
    {
        switch (kind)
        {
            case InputKind.Upload:
                uploadError = text;
                break;
            case InputKind.Drawing:
                drawingError = text;
                break;
            case InputKind.Paste when text is not null:
                Snackbar.Add(text, Severity.Warning);
                break;
        }

        StateHasChanged();
    }

    // started: when the user's action reached the server; the page's own time (data-server-ms) counts from there.
    private async Task CompareAsync(CompareInput input, string? preview, string label, byte[]? png, long started)
    {
        if (State.Candidates.Count == 0)
        {
            Snackbar.Add("Choose at least one candidate.", Severity.Warning);
            return;
        }

        current?.Cancel();
        current?.Dispose();
        current = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
        var token = current.Token;
        var run = State.Start(input, preview, label, png);
        serverMs = null;
        StateHasChanged();
        try
        {
            await foreach (var result in Runner.RunAsync(State.Shown, input, token))
            {
                if (State.Record(run, result))
                {
                    serverMs = State.Complete ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : null;
                    StateHasChanged();
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // A newer input replaced this one, or the page closed.
        }
    }

    private async Task<string?> AddToCollectionAsync(CollectionRequest request)
    {
        if (State.Input is not { } input || moduleId is not { } owner)
        {
            throw new CompareException("Compare an input first.");
        }

        var sha = input.Sample?.ImageSha256 ?? await Collections.StoreImageAsync(State.UploadedPng!, lifetime.Token);
        var item = new CollectionItem(sha, input.Image.Width, input.Image.Height, request.GroundTruth, input.Sample?.Tags ?? [], input.Sample?.DatasetId);
        var entry = await Collections.AddAsync(owner, request.Collection, item, lifetime.Token);
        collectionNames = await Collections.NamesAsync(owner, lifetime.Token);
        return entry.Created
            ? $"Created collection '{entry.Collection}' with this input."
            : $"Added to '{entry.Collection}' ({entry.Samples} samples).";
    }

    // A ticket about one answer: the input goes into the store (an upload has no sample to point at) and the new
    // ticket form opens with module, version, image, expected (the ground truth, when known) and actual output.
    private async Task FileTicketAsync(CandidateResult result)
    {
        if (State.Input is not { } input || moduleId is not { } owner)
        {
            return;
        }

        var sha = input.Sample?.ImageSha256 ?? await Collections.StoreImageAsync(State.UploadedPng!, lifetime.Token);
        var query = new Dictionary<string, string?>
        {
            ["moduleId"] = owner.ToString(CultureInfo.InvariantCulture),
            ["modelVersionId"] = result.ModelVersionId.ToString(CultureInfo.InvariantCulture),
            ["imageSha"] = sha,
            ["expected"] = input.GroundTruth,
            ["actual"] = result.Output,
            ["channel"] = "compare",
            ["title"] = input.GroundTruth is { } truth ? $"{result.Name}: expected '{truth}', got '{result.Output}'" : $"{result.Name} answered '{result.Output}'",
        };
        Navigation.NavigateTo(QueryHelpers.AddQueryString("tickets/new", query));
    }

    public async ValueTask DisposeAsync()
    {
        // The browser left: stop every comparison and batch of this page.
        lifetime.Cancel();
        current?.Dispose();
        try
        {
            if (js is not null)
            {
                await js.InvokeVoidAsync("stopListening");
                await js.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
        }

        self?.Dispose();
        lifetime.Dispose();
    }

    /// <summary>What compare.js says about an image it converted and holds.</summary>
    public sealed record HeldImage(bool Ok, string? Error, string? PreviewUrl, long Bytes);
}
