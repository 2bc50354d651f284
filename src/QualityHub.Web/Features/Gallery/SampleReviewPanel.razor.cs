using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Gallery;

/// <summary>One sample of a gallery under review: the image, truth and answer, error tags, a note and the link to file a ticket.</summary>
public sealed partial class SampleReviewPanel
{
    // The review's inputs by the API's field names: a refusal naming one shows on it.
    private static readonly string[] Fields = ["tag", "text", "suggestedLabel", "reason"];

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = default!;

    [Inject]
    private SampleReviews Reviews { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private readonly FieldErrors errors = new();
    private SampleReview? review;

    // Why the sample could not be read (gone, never there): shown instead of the review.
    private string? error;
    private string? tagToAdd;
    private string? noteText;
    private string? suggested;
    private string? reason;
    private long loadedFor = -1;

    [Parameter, EditorRequired]
    public required long SampleId { get; set; }

    [Parameter, EditorRequired]
    public required int ModuleId { get; set; }

    [Parameter]
    public int RunId { get; set; }

    /// <summary>The module's error tags, to add from.</summary>
    [Parameter]
    public IReadOnlyList<string> Taxonomy { get; set; } = [];

    /// <summary>The dataset's labels (classifiers), to suggest a relabel from.</summary>
    [Parameter]
    public IReadOnlyList<string> Labels { get; set; } = [];

    [Parameter]
    public EventCallback OnClose { get; set; }

    /// <summary>Tags or the flag changed: the gallery reloads its items.</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (loadedFor != SampleId)
        {
            loadedFor = SampleId;
            review = null;
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            review = await Reviews.GetReviewAsync(SampleId);
            error = null;
        }
        catch (GalleryException e)
        {
            review = null;
            error = e.Message;
        }
    }

    private async Task TagAsync(string tag, bool remove) =>
        await ChangeAsync(async () => await Reviews.ApplyAsync(new TagRequest(tag, ModuleId: ModuleId, SampleIds: [SampleId], Remove: remove), await Actor.OfAsync(Authentication)), changesItems: true,
            remove ? $"Removed the tag '{tag}'." : $"Tagged '{tag}'.");

    private async Task AddNoteAsync()
    {
        if (await ChangeAsync(async () => await Reviews.AddNoteAsync(SampleId, noteText, await Actor.OfAsync(Authentication)), changesItems: false, "Note added."))
        {
            noteText = null;
        }
    }

    private async Task FlagAsync()
    {
        if (await ChangeAsync(async () => await Reviews.FlagAsync(SampleId, suggested, reason, await Actor.OfAsync(Authentication)), changesItems: true, "Ground truth flagged for relabelling."))
        {
            (suggested, reason) = (null, null);
        }
    }

    private async Task UnflagAsync() => await ChangeAsync(async () =>
    {
        await Reviews.UnflagAsync(SampleId);
        return true;
    }, changesItems: true, "Flag removed: the ground truth stands.");

    // A refusal naming one of the inputs shows on it; any other goes to a snackbar.
    private async Task<bool> ChangeAsync<T>(Func<Task<T>> change, bool changesItems, string done)
    {
        errors.Clear();
        try
        {
            await change();
            tagToAdd = null;
            Snackbar.Add(done, Severity.Success);
            await LoadAsync();
            if (changesItems)
            {
                await OnChanged.InvokeAsync();
            }

            return true;
        }
        catch (GalleryException e)
        {
            if (!errors.Set(e.Field, e.Message, Fields))
            {
                Snackbar.Add(e.Message, Severity.Warning);
            }

            return false;
        }
    }
}
