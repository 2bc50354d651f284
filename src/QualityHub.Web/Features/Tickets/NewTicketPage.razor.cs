using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using MudBlazor;
using QualityHub.Core.Domain;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Accounts;
using QualityHub.Web.Features.Compare;

namespace QualityHub.Web.Features.Tickets;

/// <summary>Files a ticket: prefilled from a gallery item or a comparison's answer, with likely duplicates beside it.</summary>
public partial class NewTicketPage
{
    // The form's fields as the API names them; a refusal of any other field is said in a snackbar.
    private static readonly string[] FormFields =
        ["title", "description", "severity", "channel", "customerSegment", "moduleId", "releaseId", "modelVersionId", "expectedOutput", "actualOutput", "tags", "assignee", "customerReference"];

    private static readonly string[] ImageFields = ["inputImageSha256", "inputImagePngBase64"];

    private readonly FieldErrors errors = new();
    private TicketChoices choices = new([], [], []);
    private IReadOnlyList<TicketDuplicate> duplicates = [];
    private string? title;
    private string? description;
    private TicketSeverity severity = TicketSeverity.Medium;
    private string? channel;
    private string? segment;
    private int? moduleId;
    private int? releaseId;
    private int? versionId;
    private string? expected;
    private string? actual;
    private string? tags;
    private string? assignee;
    private string? customerReference;

    // Where the complaint was seen, when the form came from a gallery item or a dataset's sample.
    private long? seenSample;
    private int? seenRun;
    private string? imageSha;
    private byte[]? uploaded;

    // What the store will keep for the upload (the upload itself when it is a PNG): shown, and hashed for duplicates.
    private byte[]? uploadedPng;
    private bool busy;
    private bool interactive;

    [Inject]
    private TicketService Tickets { get; set; } = default!;

    [Inject]
    private IOptions<CompareOptions> ImageLimits { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = default!;

    private string? ImageError => ImageFields.Select(errors.For).FirstOrDefault(e => e is not null);

    private static string Name(IReadOnlyList<TicketChoice> options, int? id) => options.FirstOrDefault(o => o.Id == id)?.Name ?? "";

    private string VersionName(int? id) => choices.Versions.FirstOrDefault(v => v.Id == id) is { } v ? $"{v.Name} ({Formats.Enum(v.Status)})" : "";

    protected override async Task OnInitializedAsync()
    {
        choices = await Tickets.GetChoicesAsync();
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query);
        string? Text(string key) => query.GetValueOrDefault(key).ToString() is { Length: > 0 } v ? v : null;
        int? Number(string key) => int.TryParse(query.GetValueOrDefault(key), out var n) ? n : null;

        // A gallery item: the sample's image and truth, and its run's answer.
        if (long.TryParse(query.GetValueOrDefault("sampleId"), out var sampleId) && await Tickets.PrefillFromSampleAsync(sampleId, Number("runId")) is { } fromSample)
        {
            (moduleId, versionId, imageSha, expected, actual, title, channel) =
                (fromSample.ModuleId, fromSample.ModelVersionId, fromSample.InputImageSha256, fromSample.ExpectedOutput, fromSample.ActualOutput, fromSample.Title, fromSample.Channel);
            (seenSample, seenRun) = (fromSample.SampleId, fromSample.RunId);
        }

        // Explicit parameters (a comparison's answer, the Overview's alert flag) win over what a sample implies.
        moduleId = Number("moduleId") ?? moduleId;
        versionId = Number("modelVersionId") ?? versionId;
        // What customers have now, unless the report says otherwise.
        releaseId = Number("releaseId") ?? choices.CurrentReleaseId;
        imageSha = Text("imageSha") ?? imageSha;
        expected = Text("expected") ?? expected;
        actual = Text("actual") ?? actual;
        title = Text("title") ?? title;
        description = Text("description");
        channel = Text("channel") ?? channel;
        severity = TicketWorkflow.ParseSeverity(Text("severity")) ?? severity;
        if (versionId is { } v && choices.Versions.FirstOrDefault(x => x.Id == v) is { } version)
        {
            moduleId ??= version.ModuleId;
        }

        await CheckDuplicatesAsync();
    }

    // Until the circuit renders, the form is the prerendered copy: what is typed there is lost (tests wait for this).
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    // A changed value drops the server's refusal of it; the fields that identify a complaint look for duplicates again.
    private async Task EditAsync(string field, Action set, bool checkDuplicates = false)
    {
        set();
        errors.Clear(field);
        if (checkDuplicates)
        {
            await CheckDuplicatesAsync();
        }
    }

    private async Task ModuleChangedAsync(int? id)
    {
        moduleId = id;
        errors.Clear("moduleId");
        if (versionId is { } v && choices.Versions.FirstOrDefault(x => x.Id == v)?.ModuleId != moduleId)
        {
            versionId = null;
        }

        await CheckDuplicatesAsync();
    }

    private async Task ImageChosenAsync(InputFileChangeEventArgs e)
    {
        ImageFields.ToList().ForEach(errors.Clear);
        try
        {
            // One byte over the limit is enough for the service to refuse it with its own message.
            await using var stream = e.File.OpenReadStream(ImageLimits.Value.MaxImageBytes + 1);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            var bytes = buffer.ToArray();

            // Checked now so the person hears at once; stored (as this PNG) only when the ticket is filed.
            var png = Tickets.CheckImage(bytes);
            (uploaded, uploadedPng, imageSha) = (bytes, png, null);
            await CheckDuplicatesAsync();
        }
        catch (TicketException ex)
        {
            (uploaded, uploadedPng) = (null, null);
            errors.Set(ex.Field ?? "inputImagePngBase64", ex.Message);
        }
        catch (IOException ex)
        {
            (uploaded, uploadedPng) = (null, null);
            errors.Set("inputImagePngBase64", $"The image could not be read: {ex.Message}");
        }
    }

    private async Task RemoveImageAsync()
    {
        (imageSha, uploaded, uploadedPng) = (null, null, null);
        ImageFields.ToList().ForEach(errors.Clear);
        await CheckDuplicatesAsync();
    }

    // An uploaded image is not stored yet; its hash is what the store will key it by.
    private async Task CheckDuplicatesAsync() => duplicates = await Tickets.FindDuplicatesAsync(
        uploaded is null ? imageSha : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(uploadedPng!)), moduleId, expected, actual);

    private async Task SubmitAsync()
    {
        busy = true;
        errors.Clear();
        try
        {
            var ticket = await Tickets.CreateAsync(new TicketDraft
            {
                Title = title,
                Description = description,
                Channel = channel,
                CustomerSegment = segment,
                Severity = severity.ToString(),
                ModuleId = moduleId,
                ReleaseId = releaseId,
                ModelVersionId = versionId,
                InputImageSha256 = imageSha,
                InputImagePngBase64 = uploaded is null ? null : Convert.ToBase64String(uploaded),
                ExpectedOutput = expected,
                ActualOutput = actual,
                Tags = (tags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Assignee = assignee,
                CustomerReference = customerReference,
                SampleId = seenSample,
                RunId = seenRun,
            }, await Actor.OfAsync(Authentication));
            Navigation.NavigateTo($"tickets/{ticket.Id}");
        }
        catch (TicketException ex)
        {
            // On its field when the form has it (the image's under the image); otherwise said once.
            if (!errors.Set(ex.Field, ex.Message, [.. FormFields, .. ImageFields]))
            {
                Snackbar.Add(ex.Message, Severity.Error);
            }
        }
        finally
        {
            busy = false;
        }
    }
}
