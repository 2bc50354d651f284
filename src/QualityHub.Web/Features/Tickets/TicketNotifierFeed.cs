using QualityHub.Web.Features.Online;

namespace QualityHub.Web.Features.Tickets;

/// <summary>
/// New tickets for the live hub (/hubs/quality, "ticketCreated"): the ones this instance filed (with a Redis backplane the
/// hub itself carries them to the clients of other instances).
/// </summary>
public sealed class TicketNotifierFeed(TicketNotifier notifier) : ILiveTicketFeed
{
    public IDisposable Subscribe(Action<object> handler) => notifier.SubscribeOwn(change =>
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
