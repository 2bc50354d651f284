using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Web.Features.Overview;

/// <summary>Counts what is registered, for the Overview page and GET /api/summary.</summary>
public sealed class OverviewService(IDbContextFactory<QualityHubDbContext> contextFactory)
{
    private static readonly TicketStatus[] ClosedStatuses = [TicketStatus.Closed, TicketStatus.WontFix];

    public async Task<RegistrySummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return new RegistrySummary(
            Modules: await db.Modules.CountAsync(cancellationToken),
            ModelVersions: await db.ModelVersions.CountAsync(cancellationToken),
            Datasets: await db.Datasets.CountAsync(cancellationToken),
            Samples: await db.Samples.LongCountAsync(cancellationToken),
            EvaluationRuns: await db.EvaluationRuns.CountAsync(cancellationToken),
            Releases: await db.Releases.CountAsync(cancellationToken),
            Tickets: await db.VocTickets.CountAsync(cancellationToken),
            OpenTickets: await db.VocTickets.CountAsync(t => !ClosedStatuses.Contains(t.Status), cancellationToken));
    }
}
