namespace QualityHub.Web.Features.Tickets;

/// <summary>Whether a ticket is new or was changed.</summary>
public enum TicketChangeKind
{
    Created = 1,
    Updated = 2,
}

/// <summary>A ticket that was filed or changed, with what a board or list needs to show it.</summary>
public sealed record TicketChange(int Id, string Title, Core.Domain.TicketStatus Status, Core.Domain.TicketSeverity Severity, int? ModuleId, TicketChangeKind Kind);

/// <summary>New and changed tickets for pages (and later the SignalR hub): publish once, every subscriber hears it.</summary>
public sealed class TicketNotifier(ILogger<TicketNotifier> logger)
{
    private readonly Lock gate = new();
    private Action<TicketChange>[] handlers = [];

    public void Publish(TicketChange change)
    {
        foreach (var handler in Volatile.Read(ref handlers))
        {
            // The ticket is stored by now: one failing subscriber must not fail the request or starve the others.
            try
            {
                handler(change);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A subscriber to ticket changes failed on ticket {TicketId}", change.Id);
            }
        }
    }

    /// <summary>Calls <paramref name="handler"/> for every change until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(Action<TicketChange> handler)
    {
        lock (gate)
        {
            handlers = [.. handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private sealed class Subscription(TicketNotifier owner, Action<TicketChange> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.handlers = owner.handlers.Where(h => h != handler).ToArray();
            }
        }
    }
}
