using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.WebUtilities;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Content;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;
using QualityHub.Inference.Pipelines;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>One photo read by several versions of the given pipelines, side by side, with a ticket from any reading.</summary>
public sealed partial class PipelineReadPanel
{
    /// <summary>The largest photo taken from an upload.</summary>
    public const long MaxUploadBytes = 10 * 1024 * 1024;

    [Inject]
    private PipelineRunCatalog Catalog { get; set; } = default!;

    [Inject]
    private PipelineComparer Comparer { get; set; } = default!;

    [Inject]
    private ContentStore Store { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The pipelines whose versions may be ticked.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<PipelineInfo> Pipelines { get; set; } = [];

    /// <summary>The versions ticked at first (else the first two usable ones).</summary>
    [Parameter]
    public IReadOnlyList<int>? Initial { get; set; }

    private IReadOnlyList<PhotoChoice> choices = [];
    private readonly HashSet<int> chosen = [];
    private IReadOnlyList<PipelineInfo>? chosenFrom;
    private long sampleId;
    private byte[]? upload;
    private string? uploadName;
    private string? uploadType;
    private string photoUrl = "";
    private int photoWidth;
    private int photoHeight;
    private CardTruth? truth;
    private IReadOnlyList<PipelineAnswer>? answers;
    private bool busy;
    private string? problem;
    private bool interactive;

    private IEnumerable<PipelineVersionInfo> Versions => Pipelines.SelectMany(p => p.Versions);

    protected override async Task OnInitializedAsync()
    {
        choices = await Catalog.PhotoChoicesAsync(40);
        if (choices.Count > 0)
        {
            PickSample(choices[0].SampleId);
        }
    }

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(chosenFrom, Pipelines))
        {
            return;
        }

        // Other pipelines (another module on Compare): the ticks start again, so that one click shows a comparison.
        chosenFrom = Pipelines;
        (answers, problem) = (null, null);
        chosen.Clear();
        var usable = Versions.Where(v => v.Unusable is null).ToList();
        var asked = usable.Where(v => Initial?.Contains(v.Id) == true).Take(PipelineComparer.MaxVersions).ToList();
        foreach (var version in asked.Count > 0 ? asked : usable.Take(2))
        {
            chosen.Add(version.Id);
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            // Clicks count from here: tests and people wait for data-interactive="true".
            interactive = true;
            StateHasChanged();
        }
    }

    private void Choose(int versionId, bool on)
    {
        problem = null;
        if (!on)
        {
            chosen.Remove(versionId);
        }
        else if (chosen.Count < PipelineComparer.MaxVersions)
        {
            chosen.Add(versionId);
        }
        else
        {
            problem = $"Compare at most {PipelineComparer.MaxVersions} versions at once; untick one first.";
        }
    }

    private void PickSample(long id)
    {
        if (id == 0)
        {
            return; // the uploaded photo, already chosen
        }

        (sampleId, upload, answers, problem) = (id, null, null, null);
        truth = choices.FirstOrDefault(c => c.SampleId == id)?.Truth;
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        (answers, problem) = (null, null);
        if (e.File.Size > MaxUploadBytes)
        {
            problem = $"{e.File.Name} is {Formats.Bytes(e.File.Size)}; photos up to {Formats.Bytes(MaxUploadBytes)} are read here.";
            return;
        }

        // Read is held back until the file is here, so it never reads the photo chosen before.
        busy = true;
        try
        {
            using var memory = new MemoryStream();
            await e.File.OpenReadStream(MaxUploadBytes).CopyToAsync(memory);
            (upload, uploadType, uploadName, sampleId, truth) = (memory.ToArray(), e.File.ContentType, e.File.Name, 0, null);
        }
        finally
        {
            busy = false;
        }
    }

    private async Task ReadAsync()
    {
        (busy, problem, answers) = (true, null, null);
        try
        {
            var bytes = upload ?? await Catalog.ImageOfAsync(sampleId);
            if (bytes is null)
            {
                problem = "That photo is no longer stored; pick another.";
                return;
            }

            var photo = Comparer.Decode(bytes);
            (photoWidth, photoHeight) = (photo.Width, photo.Height);
            photoUrl = upload is null ? $"api/samples/{sampleId}/image" : $"data:{(uploadType is "image/png" ? "image/png" : "image/jpeg")};base64,{Convert.ToBase64String(bytes)}";
            answers = await Comparer.CompareAsync(chosen.ToList(), photo);
        }
        catch (InvalidImageException e)
        {
            problem = $"The photo cannot be read: {e.Message}";
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }
        finally
        {
            busy = false;
        }
    }

    // A reading's fields against the photo's truth, under its pipeline's comparison rule.
    private IReadOnlyList<FieldOutcome> Outcomes(PipelineAnswer answer, CardReading reading)
    {
        var rule = Pipelines.FirstOrDefault(p => p.Versions.Any(v => v.Id == answer.VersionId))?.Rule ?? CardFieldMetrics.DefaultRule;
        return CardFieldMetrics.Judge(truth!, new CardPrediction(reading.Fields, reading.Regions().Select(r => new ReadRegion(r.Quad, r.Text)).ToList()), rule);
    }

    /// <summary>
    /// A new ticket about one version's reading: the photo (a test photo's, or the upload, put in the store first), the
    /// expected fields (when the truth is known) and the fields read, as a run's outputs show them; every version's
    /// reading of the photo goes into the description.
    /// </summary>
    private async Task FileTicketAsync(PipelineAnswer answer)
    {
        if (answer.Reading is not { } reading || Versions.FirstOrDefault(v => v.Id == answer.VersionId) is not { } version)
        {
            return;
        }

        // Tickets show PNG images only (as Compare sends them): an upload is stored as PNG.
        var sha = upload is { } bytes ? (await Store.PutAsync(ImageDecoder.AsPng(bytes, Comparer.Decode(bytes)))).Sha256 : await Catalog.ImageShaOfAsync(sampleId);
        var actual = PipelineComparer.Summary(reading);
        var expected = truth is null ? null : CardPhotoJson.Summary(CardFieldMetrics.Digits(truth.Number), truth.Expiry);
        var query = new Dictionary<string, string?>
        {
            ["moduleId"] = version.ModuleId.ToString(CultureInfo.InvariantCulture),
            ["modelVersionId"] = version.Id.ToString(CultureInfo.InvariantCulture),
            ["imageSha"] = sha,
            ["expected"] = expected,
            ["actual"] = actual,
            ["channel"] = "compare",
            ["title"] = expected is null ? $"{answer.Name} read '{actual}'" : $"{answer.Name}: expected '{expected}', read '{actual}'",
            ["description"] = string.Join('\n', (answers ?? []).Select(a => a.Reading is { } r ? $"{a.Name} read: {PipelineComparer.Summary(r)} ({a.TotalMs:0} ms)" : $"{a.Name}: {a.Error}")),
        };
        Navigation.NavigateTo(QueryHelpers.AddQueryString("tickets/new", query));
    }
}
