using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using QualityHub.Core.Labeling;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Labeling;

/// <summary>The deliveries of a job: import a file, see its report or its agreement figures.</summary>
public sealed partial class LabelingDeliveryPanel
{
    private IReadOnlyList<DeliveryProblem> report = [];
    private string? problem;
    private bool busy;

    [Parameter, EditorRequired]
    public required LabelingJobView Job { get; set; }

    [Parameter, EditorRequired]
    public required IReadOnlyList<LabelingDeliveryView> Deliveries { get; set; }

    [Parameter]
    public EventCallback Changed { get; set; }

    [Inject]
    private LabelingDeliveries Service { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = null!;

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        (busy, problem, report) = (true, null, []);
        try
        {
            if (e.File.Size > DeliveryFile.MaxBytes)
            {
                problem = $"The file has {e.File.Size:N0} bytes; a delivery has at most {DeliveryFile.MaxBytes / (1024 * 1024)} MiB.";
                return;
            }

            using var buffer = new MemoryStream();
            await using (var stream = e.File.OpenReadStream(DeliveryFile.MaxBytes))
            {
                await stream.CopyToAsync(buffer);
            }

            await Service.ReceiveAsync(Job.Id, buffer.ToArray(), e.File.Name, await Actor.OfAsync(Authentication));
        }
        catch (LabelingException ex)
        {
            (problem, report) = (ex.Message, ex.Problems ?? []);
        }
        finally
        {
            busy = false;
        }

        await Changed.InvokeAsync();
    }
}
