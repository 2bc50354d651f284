using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using QualityHub.Web.Components.Shared;
using QualityHub.Web.Features.Accounts;

namespace QualityHub.Web.Features.Labeling;

/// <summary>The form of a new labeling job; the service checks everything and names the field at fault.</summary>
public sealed partial class NewLabelingJobPanel
{
    private static readonly string[] Fields =
        ["from.datasetId", "from.runId", "from.filter", "from.ticketId", "name", "goldCount", "quantity", "unitPrice", "currency", "budget"];

    private readonly FieldErrors errors = new();
    private string kind = "flags";
    private int? datasetId;
    private int? runId;
    private string? filter;
    private int? ticketId;
    private string name = "";
    private string purpose = "";
    private int goldCount = 10;
    private int? quantity;
    private decimal unitPrice = 0.08m;
    private string currency = "EUR";
    private decimal budget = 100;
    private DateTime? deadline = DateTime.UtcNow.Date.AddDays(14);
    private string vendorName = "";
    private string vendorContact = "";
    private string? problem;
    private bool busy;

    [Parameter, EditorRequired]
    public required IReadOnlyList<FlaggedDataset> Flagged { get; set; }

    [Parameter]
    public int? RunId { get; set; }

    [Parameter]
    public string? Filter { get; set; }

    [Parameter]
    public int? TicketId { get; set; }

    [Parameter]
    public EventCallback<LabelingJobView> Created { get; set; }

    [Inject]
    private LabelingJobs Jobs { get; set; } = null!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = null!;

    protected override void OnInitialized()
    {
        (runId, filter, ticketId) = (RunId, Filter, TicketId);
        kind = RunId is not null ? "gallery" : TicketId is not null ? "ticket" : "flags";
        datasetId = Flagged.FirstOrDefault()?.Id;
    }

    private async Task CreateAsync()
    {
        (busy, problem) = (true, null);
        errors.Clear();
        try
        {
            var from = new LabelingSourceInput(kind, DatasetId: datasetId, RunId: runId, Filter: filter, TicketId: ticketId);
            var input = new LabelingJobInput(name, from, purpose, Quantity: quantity, UnitPrice: unitPrice, Currency: currency, Budget: budget,
                Deadline: deadline is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date, DateTimeKind.Utc)) : null,
                VendorName: vendorName, VendorContact: vendorContact, GoldCount: goldCount);
            var job = await Jobs.CreateAsync(input, await Actor.OfAsync(Authentication));
            await Created.InvokeAsync(job);
        }
        catch (LabelingException e)
        {
            if (!errors.Set(e.Field, e.Message, Fields))
            {
                problem = e.Message;
            }
        }
        finally
        {
            busy = false;
        }
    }
}
