using QualityHub.Web.Features.Live;

namespace QualityHub.Web.Features.Tickets;

/// <summary>Whether a ticket is new or was changed.</summary>
public enum TicketChangeKind
{
    Created = 1,
    Updated = 2,
}

/// <summary>A ticket that was filed or changed, with what a board or list needs to show it.</summary>
public sealed record TicketChange(int Id, string Title, Core.Domain.TicketStatus Status, Core.Domain.TicketSeverity Severity, int? ModuleId, TicketChangeKind Kind);

/// <summary>New and changed tickets for pages and the live hub, this instance's and (over the live bus) its peers'.</summary>
public sealed class TicketNotifier(ILogger<TicketNotifier>? logger = null) : Notifier<TicketChange>(logger);
