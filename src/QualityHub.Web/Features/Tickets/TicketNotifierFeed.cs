using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Tickets;

/// <summary>New tickets for the live hub (/hubs/quality, "ticketCreated"): the filed ones of the TicketNotifier's changes.</summary>
public sealed class TicketNotifierFeed(TicketNotifier notifier) : ILiveTicketFeed
{
    public IDisposable Subscribe(Action<object> handler) => notifier.Subscribe(change =>
    {
        if (change.Kind == TicketChangeKind.Created)
        {
            handler(new
            {
                id = change.Id,
                title = change.Title,
                status = change.Status.ToString(),
                severity = change.Severity.ToString(),
                moduleId = change.ModuleId,
                url = $"/tickets/{change.Id}",
            });
        }
    });
}
