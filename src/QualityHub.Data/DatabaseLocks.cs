using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace QualityHub.Data;

/// <summary>
/// The PostgreSQL advisory locks QualityHub takes so that several instances on one database do one kind of work at a
/// time, each in a key space of its own so they never collide. SQLite needs none: it has one writer at a time.
/// </summary>
public static class DatabaseLocks
{
    /// <summary>Aggregates of online events, one lock per module.</summary>
    public const int OnlineAggregates = 0x51486167;

    /// <summary>Release approvals: which release is current must change one approval at a time.</summary>
    public const int ReleaseApproval = 0x51487261;

    /// <summary>
    /// The content store's sweep: one instance at a time, skipped while another holds it. A single 64-bit key ("QHSWEEP1"
    /// in ASCII, so an operator sees who sweeps in pg_locks), which PostgreSQL keeps apart from the two-key locks above.
    /// </summary>
    public const long ContentSweep = 0x5148_5357_4545_5031;

    /// <summary>
    /// On PostgreSQL, waits for the lock (<paramref name="space"/>, <paramref name="key"/>) and holds it until the current
    /// transaction ends; on SQLite does nothing.
    /// </summary>
    public static async Task HoldUntilCommitAsync(DatabaseFacade database, int space, int key = 0, CancellationToken cancellationToken = default)
    {
        if (database.IsNpgsql())
        {
            await database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({space}, {key})", cancellationToken);
        }
    }
}
