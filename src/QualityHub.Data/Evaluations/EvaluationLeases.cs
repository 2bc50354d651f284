using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Evaluations;

/// <summary>
/// The evaluation queue shared by several portal instances on one PostgreSQL database. An instance claims the oldest
/// queued run — or a running one whose lease has expired, its instance gone — with <c>FOR UPDATE SKIP LOCKED</c>, so
/// two instances never claim the same run, and renews the leases of what it runs on a heartbeat. A run taken over
/// resumes from its stored predictions; the old owner's writes are fenced off by the lease (<see cref="PredictionWriter"/>).
/// On SQLite (one instance) there is nothing to share and the queue works as it always has.
/// </summary>
public sealed class EvaluationLeases(
    IDbContextFactory<QualityHubDbContext> contextFactory, InstanceIdentity instance, IOptions<StorageOptions> storage, IOptions<EvaluationOptions> options)
{
    /// <summary>Whether runs are claimed with leases (PostgreSQL) rather than requeued at start (SQLite).</summary>
    public bool Shared => storage.Value.ResolveProvider() == DatabaseProvider.Postgres;

    /// <summary>How long a claim holds without renewal.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>Claims the oldest run waiting for an instance (queued, or running under an expired lease) other than <paramref name="exclude"/>; null when there is none.</summary>
    public async Task<int?> ClaimNextAsync(IReadOnlyCollection<int> exclude, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = (now + Lease).UtcTicks;
        var running = nameof(RunStatus.Running);
        var queued = nameof(RunStatus.Queued);
        var skip = exclude.ToArray();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var claimed = await db.Database.SqlQuery<int>($"""
            UPDATE "EvaluationRuns" SET "Status" = {running}, "LeaseOwner" = {instance.Id}, "LeaseExpiresAt" = {expires}
            WHERE "Id" = (
                SELECT "Id" FROM "EvaluationRuns"
                WHERE ("Status" = {queued} OR ("Status" = {running} AND "LeaseExpiresAt" < {now.UtcTicks}))
                  AND NOT ("Id" = ANY({skip}))
                ORDER BY "Id" LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);
        return claimed.Count == 0 ? null : claimed[0];
    }

    /// <summary>Extends this instance's leases on <paramref name="runs"/>; returns the ones it still holds (a run missing was taken over or has ended).</summary>
    public async Task<IReadOnlySet<int>> RenewAsync(IReadOnlyCollection<int> runs, CancellationToken cancellationToken = default)
    {
        if (runs.Count == 0)
        {
            return new HashSet<int>();
        }

        var expires = (DateTimeOffset.UtcNow + Lease).UtcTicks;
        var running = nameof(RunStatus.Running);
        var ids = runs.ToArray();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var held = await db.Database.SqlQuery<int>($"""
            UPDATE "EvaluationRuns" SET "LeaseExpiresAt" = {expires}
            WHERE "Id" = ANY({ids}) AND "LeaseOwner" = {instance.Id} AND "Status" = {running}
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);
        return held.ToHashSet();
    }

    /// <summary>Whether a run's lease (if it has one) is this instance's: a run may only be written, finished or failed by its holder.</summary>
    public static bool Holds(EvaluationRun run, InstanceIdentity instance) => run.LeaseOwner is null || run.LeaseOwner == instance.Id;
}

/// <summary>Another instance took the run over (this one's lease expired): it stops without touching the run's state.</summary>
public sealed class LeaseLostException(int runId) : Exception($"Evaluation run {runId} was taken over by another instance after this one's lease expired.");
