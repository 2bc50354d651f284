using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using QualityHub.Core.Pipelines;
using QualityHub.Data.Registry;
using QualityHub.Inference.Imaging;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Pipelines;

/// <summary>The pipelines, their versions by stage with their latest runs, and one photo read by several versions side by side.</summary>
public sealed partial class PipelinesPage
{
    /// <summary>The largest photo taken from an upload.</summary>
    public const long MaxUploadBytes = 10 * 1024 * 1024;

    [Inject]
    private PipelineRegistry Registry { get; set; } = default!;

    [Inject]
    private PipelineRunCatalog Catalog { get; set; } = default!;

    [Inject]
    private PipelineComparer Comparer { get; set; } = default!;

    private IReadOnlyList<PipelineInfo>? pipelines;
    private IReadOnlyDictionary<int, PipelineRunLine> runs = new Dictionary<int, PipelineRunLine>();
    private IReadOnlyList<PhotoChoice> choices = [];
    private readonly HashSet<int> chosen = [];
    private long sampleId;
    private byte[]? upload;
    private string? uploadType;
    private string? uploadName;
    private string photoUrl = "";
    private int photoWidth;
    private int photoHeight;
    private CardTruth? truth;
    private IReadOnlyList<PipelineAnswer>? answers;
    private bool busy;
    private string? problem;
    private bool interactive;

    protected override async Task OnInitializedAsync()
    {
        pipelines = await Registry.ListAsync();
        runs = await Catalog.LatestRunsAsync();
        choices = await Catalog.PhotoChoicesAsync(40);
        // The first two usable versions and the first photo, so that one click shows a comparison.
        foreach (var version in pipelines.SelectMany(p => p.Versions).Where(v => v.Unusable is null).Take(2))
        {
            chosen.Add(version.Id);
        }

        if (choices.Count > 0)
        {
            PickSample(choices[0].SampleId);
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


    /// <summary>A new ticket on the pipeline with the photo (when it is a stored sample) and each version's reading.</summary>
    private string? TicketUrl(IReadOnlyList<PipelineAnswer> shown)
    {
        var moduleId = pipelines?.SelectMany(p => p.Versions).FirstOrDefault(v => shown.Any(a => a.VersionId == v.Id))?.ModuleId;
        if (moduleId is null)
        {
            return null;
        }

        var description = new StringBuilder();
        if (truth is not null)
        {
            description.AppendLine($"Expected: {CardPhotoJson.Describe(truth)}");
        }

        foreach (var answer in shown)
        {
            description.AppendLine(answer.Reading is { } r ? $"{answer.Name} read: {PipelineComparer.Summary(r)} ({answer.TotalMs:0} ms)" : $"{answer.Name}: {answer.Error}");
        }

        var sample = sampleId > 0 ? $"&sampleId={sampleId}" : "";
        return $"tickets/new?moduleId={moduleId}{sample}&title={Uri.EscapeDataString("Card photo read wrong")}&description={Uri.EscapeDataString(description.ToString())}";
    }
}
