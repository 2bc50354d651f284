using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Metrics;

namespace QualityHub.Data.Online;

/// <summary>An online event checked and resolved to its release and module, ready to store.</summary>
public sealed record OnlineEventRow(
    string EventId, int ReleaseId, int ModuleId, DateTimeOffset Timestamp, double LatencyMs, string? Predicted, bool Corrected, string? CorrectedValue);

/// <summary>One aggregate row after a write: its key and its totals (all events so far, not only this batch's).</summary>
public sealed record AggregateTotals(
    int ReleaseId, int ModuleId, int BucketSeconds, DateTimeOffset BucketStart, long Count, long Corrections, double LatencySumMs, long[] Histogram);

/// <summary>What a write did: events new to the store, events whose id was already stored, and the minute rows they changed.</summary>
public sealed record OnlineWriteResult(int Accepted, int Duplicates, IReadOnlyList<AggregateTotals> Minutes);

/// <summary>
/// Stores batches of online events and their minute and hour aggregates in one transaction, so the aggregates always
/// equal the events. Techniques from PredictionWriter: one prepared INSERT reused for every row inside the transaction.
/// Writes are serialised in the process (SQLite has one writer anyway; queuing here avoids busy retries).
/// </summary>
public sealed class OnlineEventStore(IDbContextFactory<QualityHubDbContext> contextFactory)
{
    private static readonly int[] Resolutions = [OnlineAggregate.MinuteSeconds, OnlineAggregate.HourSeconds];
    private readonly SemaphoreSlim writer = new(1, 1);

    /// <summary>Stores the events whose id is new, updates their aggregates, all or nothing.</summary>
    public async Task<OnlineWriteResult> WriteAsync(IReadOnlyList<OnlineEventRow> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return new OnlineWriteResult(0, 0, []);
        }

        await writer.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            await using (var cache = connection.CreateCommand())
            {
                // Event ids arrive in no order, so every insert touches some page of the unique index; SQLite's default
                // 2 MB page cache holds little of it past a million events. 64 MB for this (pooled) connection.
                cache.CommandText = "PRAGMA cache_size = -65536";
                await cache.ExecuteNonQueryAsync(cancellationToken);
            }

            // Not cancellable from here on: a batch that reached the store is stored whole or not at all.
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            var received = DateTimeOffset.UtcNow.UtcTicks;
            var sums = new Dictionary<(int Module, int Seconds, long Start, int Release), Sum>();
            var accepted = 0;

            await using (var insert = Command(connection, transaction,
                "INSERT INTO OnlineEvents (EventId, ReleaseId, ModuleId, Timestamp, LatencyMs, Predicted, Corrected, CorrectedValue, ReceivedAt) " +
                "VALUES ($id, $release, $module, $ts, $latency, $predicted, $corrected, $value, $received) ON CONFLICT(EventId) DO NOTHING",
                "$id", "$release", "$module", "$ts", "$latency", "$predicted", "$corrected", "$value", "$received"))
            {
                var p = insert.Parameters;
                p[8].Value = received;
                foreach (var e in events)
                {
                    p[0].Value = e.EventId;
                    p[1].Value = e.ReleaseId;
                    p[2].Value = e.ModuleId;
                    p[3].Value = e.Timestamp.UtcTicks;
                    p[4].Value = e.LatencyMs;
                    p[5].Value = (object?)e.Predicted ?? DBNull.Value;
                    p[6].Value = e.Corrected;
                    p[7].Value = (object?)e.CorrectedValue ?? DBNull.Value;
                    if (await insert.ExecuteNonQueryAsync(CancellationToken.None) == 0)
                    {
                        continue; // the id is stored already: counted once, so not aggregated again
                    }

                    accepted++;
                    var bucket = LatencyHistogram.BucketOf(e.LatencyMs);
                    foreach (var seconds in Resolutions)
                    {
                        var width = seconds * TimeSpan.TicksPerSecond;
                        var start = e.Timestamp.UtcTicks - e.Timestamp.UtcTicks % width;
                        var key = (e.ModuleId, seconds, start, e.ReleaseId);
                        if (!sums.TryGetValue(key, out var sum))
                        {
                            sums[key] = sum = new Sum();
                        }

                        sum.Count++;
                        sum.Corrections += e.Corrected ? 1 : 0;
                        sum.LatencySumMs += e.LatencyMs;
                        sum.Histogram[bucket]++;
                    }
                }
            }

            var minutes = await UpsertAggregatesAsync(connection, transaction, sums);
            await transaction.CommitAsync(CancellationToken.None);
            return new OnlineWriteResult(accepted, events.Count - accepted, minutes);
        }
        finally
        {
            writer.Release();
        }
    }

    /// <summary>Adds each sum to its stored row (read, add, write back; the transaction holds SQLite's write lock).</summary>
    private static async Task<List<AggregateTotals>> UpsertAggregatesAsync(
        DbConnection connection, DbTransaction transaction, Dictionary<(int Module, int Seconds, long Start, int Release), Sum> sums)
    {
        const string Key = "ModuleId = $module AND BucketSeconds = $seconds AND BucketStart = $start AND ReleaseId = $release";
        await using var select = Command(connection, transaction,
            $"SELECT Count, Corrections, LatencySumMs, LatencyHistogram FROM OnlineAggregates WHERE {Key}", "$module", "$seconds", "$start", "$release");
        await using var upsert = Command(connection, transaction,
            "INSERT INTO OnlineAggregates (ModuleId, BucketSeconds, BucketStart, ReleaseId, Count, Corrections, LatencySumMs, LatencyHistogram) " +
            "VALUES ($module, $seconds, $start, $release, $count, $corrections, $sum, $histogram) " +
            "ON CONFLICT(ModuleId, BucketSeconds, BucketStart, ReleaseId) DO UPDATE SET Count = excluded.Count, Corrections = excluded.Corrections, " +
            "LatencySumMs = excluded.LatencySumMs, LatencyHistogram = excluded.LatencyHistogram",
            "$module", "$seconds", "$start", "$release", "$count", "$corrections", "$sum", "$histogram");

        var minutes = new List<AggregateTotals>();
        foreach (var ((module, seconds, start, release), sum) in sums)
        {
            select.Parameters[0].Value = upsert.Parameters[0].Value = module;
            select.Parameters[1].Value = upsert.Parameters[1].Value = seconds;
            select.Parameters[2].Value = upsert.Parameters[2].Value = start;
            select.Parameters[3].Value = upsert.Parameters[3].Value = release;
            await using (var reader = await select.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync())
                {
                    sum.Count += reader.GetInt64(0);
                    sum.Corrections += reader.GetInt64(1);
                    sum.LatencySumMs += reader.GetDouble(2);
                    LatencyHistogram.AddBytes(sum.Histogram, (byte[])reader.GetValue(3));
                }
            }

            upsert.Parameters[4].Value = sum.Count;
            upsert.Parameters[5].Value = sum.Corrections;
            upsert.Parameters[6].Value = sum.LatencySumMs;
            upsert.Parameters[7].Value = LatencyHistogram.ToBytes(sum.Histogram);
            await upsert.ExecuteNonQueryAsync();
            if (seconds == OnlineAggregate.MinuteSeconds)
            {
                minutes.Add(new AggregateTotals(release, module, seconds, new DateTimeOffset(start, TimeSpan.Zero), sum.Count, sum.Corrections, sum.LatencySumMs, sum.Histogram));
            }
        }

        return minutes;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private sealed class Sum
    {
        public long Count;
        public long Corrections;
        public double LatencySumMs;
        public readonly long[] Histogram = LatencyHistogram.Empty();
    }
}
