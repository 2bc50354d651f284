using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using QualityHub.Core.Domain;
using QualityHub.Core.Drift;
using QualityHub.Core.Metrics;

namespace QualityHub.Data.Online;

/// <summary>An online event checked and resolved to its release and module, ready to store.</summary>
public sealed record OnlineEventRow(
    string EventId, int ReleaseId, int ModuleId, DateTimeOffset Timestamp, double LatencyMs, string? Predicted, bool Corrected, string? CorrectedValue,
    EventDescriptors? Descriptors = null);

/// <summary>One aggregate row after a write: its key and its totals (all events so far, not only this batch's).</summary>
public sealed record AggregateTotals(
    int ReleaseId, int ModuleId, int BucketSeconds, DateTimeOffset BucketStart, long Count, long Corrections, double LatencySumMs, long[] Histogram);

/// <summary>What a write did: events new to the store, events whose id was already stored, and the minute rows they changed.</summary>
public sealed record OnlineWriteResult(int Accepted, int Duplicates, IReadOnlyList<AggregateTotals> Minutes);

/// <summary>
/// Stores batches of online events, their minute and hour aggregates, their hourly drift histograms and their hourly
/// counts of data-rule violations in one transaction, so the aggregates always equal the events. SQLite: one prepared INSERT reused for every row (techniques from PredictionWriter), writes
/// serialised in the process (SQLite has one writer anyway; queuing here avoids busy retries). PostgreSQL: the batch
/// in one multi-row INSERT … ON CONFLICT DO NOTHING over arrays, and a per-module transaction lock around the
/// aggregates' read-add-write, so that batches written at once — by several instances, or up to four by one — neither
/// lose nor double a count; their events' inserts run side by side.
/// </summary>
public sealed class OnlineEventStore(IDbContextFactory<QualityHubDbContext> contextFactory)
{
    private static readonly int[] Resolutions = [OnlineAggregate.MinuteSeconds, OnlineAggregate.HourSeconds];

    // SQLite has one writer anyway: batches queue here instead of retrying on its busy lock. PostgreSQL takes batches
    // side by side, a few at a time, so that a burst of them waits here rather than exhausting the connection pool.
    private readonly SemaphoreSlim sqliteWriter = new(1, 1);
    private readonly SemaphoreSlim postgresWriters = new(PostgresWritersAtOnce, PostgresWritersAtOnce);
    private const int PostgresWritersAtOnce = 4;

    /// <summary>Stores the events whose id is new, updates their aggregates, all or nothing.</summary>
    public async Task<OnlineWriteResult> WriteAsync(IReadOnlyList<OnlineEventRow> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return new OnlineWriteResult(0, 0, []);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var writers = db.Database.IsNpgsql() ? postgresWriters : sqliteWriter;
        await writers.WaitAsync(cancellationToken);
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            if (connection is not NpgsqlConnection)
            {
                await using var cache = connection.CreateCommand();
                // Event ids arrive in no order, so every insert touches some page of the unique index; SQLite's default
                // 2 MB page cache holds little of it past a million events. 64 MB for this (pooled) connection.
                cache.CommandText = "PRAGMA cache_size = -65536";
                await cache.ExecuteNonQueryAsync(cancellationToken);
            }

            // Not cancellable from here on: a batch that reached the store is stored whole or not at all.
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            var received = DateTimeOffset.UtcNow.UtcTicks;
            var stored = connection is NpgsqlConnection npgsql
                ? await InsertAllAsync(npgsql, events, received)
                : await InsertEachAsync(connection, transaction, events, received);

            var sums = new Dictionary<(int Module, int Seconds, long Start, int Release), Sum>();
            foreach (var e in stored)
            {
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

            if (connection is NpgsqlConnection)
            {
                await LockAggregatesAsync(connection, transaction, sums.Keys.Select(k => k.Module));
            }

            var minutes = await UpsertAggregatesAsync(connection, transaction, sums);
            await UpsertDriftAsync(connection, transaction, await DriftHoursAsync(connection, transaction, stored));
            await transaction.CommitAsync(CancellationToken.None);
            return new OnlineWriteResult(stored.Count, events.Count - stored.Count, minutes);
        }
        finally
        {
            writers.Release();
        }
    }

    private const string EventColumns =
        "\"EventId\", \"ReleaseId\", \"ModuleId\", \"Timestamp\", \"LatencyMs\", \"Predicted\", \"Corrected\", \"CorrectedValue\", " +
        "\"Confidence\", \"TopKJson\", \"InputWidth\", \"InputHeight\", \"Brightness\", \"Contrast\", \"Blur\", \"FeaturesJson\", \"ReceivedAt\"";

    // SQLite: one prepared INSERT per event; an id already stored inserts nothing and is not aggregated again.
    private static async Task<List<OnlineEventRow>> InsertEachAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<OnlineEventRow> events, long received)
    {
        var stored = new List<OnlineEventRow>(events.Count);
        await using var insert = Command(connection, transaction,
            $"INSERT INTO \"OnlineEvents\" ({EventColumns}) " +
            "VALUES (@id, @release, @module, @ts, @latency, @predicted, @corrected, @value, " +
            "@confidence, @topk, @width, @height, @brightness, @contrast, @blur, @features, @received) ON CONFLICT(\"EventId\") DO NOTHING",
            "@id", "@release", "@module", "@ts", "@latency", "@predicted", "@corrected", "@value",
            "@confidence", "@topk", "@width", "@height", "@brightness", "@contrast", "@blur", "@features", "@received");
        var p = insert.Parameters;
        p[16].Value = received;
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
            var d = e.Descriptors ?? EventDescriptors.None;
            p[8].Value = (object?)d.Confidence ?? DBNull.Value;
            p[9].Value = (object?)d.TopKJson ?? DBNull.Value;
            p[10].Value = (object?)d.InputWidth ?? DBNull.Value;
            p[11].Value = (object?)d.InputHeight ?? DBNull.Value;
            p[12].Value = (object?)d.Brightness ?? DBNull.Value;
            p[13].Value = (object?)d.Contrast ?? DBNull.Value;
            p[14].Value = (object?)d.Blur ?? DBNull.Value;
            p[15].Value = (object?)FeaturesJson(d.Features) ?? DBNull.Value;
            if (await insert.ExecuteNonQueryAsync(CancellationToken.None) > 0)
            {
                stored.Add(e);
            }
        }

        return stored;
    }

    // PostgreSQL: the whole batch in one statement, its columns sent as arrays; the ids it stored come back, and of an
    // id repeated inside the batch the first occurrence is the one stored (unnest keeps the order), as on SQLite.
    private static async Task<List<OnlineEventRow>> InsertAllAsync(NpgsqlConnection connection, IReadOnlyList<OnlineEventRow> events, long received)
    {
        // In id order (stable, so the first of a repeated id stays first): two instances inserting overlapping batches
        // then take the ids' index locks in the same order and wait for each other instead of deadlocking.
        events = events.OrderBy(e => e.EventId, StringComparer.Ordinal).ToList();
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO \"OnlineEvents\" ({EventColumns}) " +
            "SELECT e.*, @received FROM unnest(@id, @release, @module, @ts, @latency, @predicted, @corrected, @value, " +
            "@confidence, @topk, @width, @height, @brightness, @contrast, @blur, @features) AS e " +
            "ON CONFLICT (\"EventId\") DO NOTHING RETURNING \"EventId\"",
            connection);
        insert.Parameters.Add(new NpgsqlParameter<string[]>("id", events.Select(e => e.EventId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<int[]>("release", events.Select(e => e.ReleaseId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<int[]>("module", events.Select(e => e.ModuleId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<long[]>("ts", events.Select(e => e.Timestamp.UtcTicks).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<double[]>("latency", events.Select(e => e.LatencyMs).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("predicted", events.Select(e => e.Predicted).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<bool[]>("corrected", events.Select(e => e.Corrected).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("value", events.Select(e => e.CorrectedValue).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var described = events.Select(e => e.Descriptors ?? EventDescriptors.None).ToList();
        insert.Parameters.Add(new NpgsqlParameter<double?[]>("confidence", described.Select(d => d.Confidence).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("topk", described.Select(d => d.TopKJson).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<int?[]>("width", described.Select(d => d.InputWidth).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter<int?[]>("height", described.Select(d => d.InputHeight).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter<double?[]>("brightness", described.Select(d => d.Brightness).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        insert.Parameters.Add(new NpgsqlParameter<double?[]>("contrast", described.Select(d => d.Contrast).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        insert.Parameters.Add(new NpgsqlParameter<double?[]>("blur", described.Select(d => d.Blur).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("features", described.Select(d => FeaturesJson(d.Features)).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<long>("received", received));

        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await insert.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
                ids.Add(reader.GetString(0));
            }
        }

        // Remove as taken, so a repeat of an id later in the batch is not counted twice.
        return events.Where(e => ids.Remove(e.EventId)).ToList();
    }

    // Instances ingesting at once serialise per module here (in module order, so two batches never wait on each other
    // crosswise); the lock ends with the transaction.
    private static async Task LockAggregatesAsync(DbConnection connection, DbTransaction transaction, IEnumerable<int> modules)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@space, @module)", "@space", "@module");
        command.Parameters[0].Value = DatabaseLocks.OnlineAggregates;
        foreach (var module in modules.Distinct().Order())
        {
            command.Parameters[1].Value = module;
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Adds each sum to its stored row (read, add, write back; the transaction holds SQLite's write lock, or PostgreSQL's module lock).</summary>
    private static async Task<List<AggregateTotals>> UpsertAggregatesAsync(
        DbConnection connection, DbTransaction transaction, Dictionary<(int Module, int Seconds, long Start, int Release), Sum> sums)
    {
        const string Key = "\"ModuleId\" = @module AND \"BucketSeconds\" = @seconds AND \"BucketStart\" = @start AND \"ReleaseId\" = @release";
        await using var select = Command(connection, transaction,
            $"SELECT \"Count\", \"Corrections\", \"LatencySumMs\", \"LatencyHistogram\" FROM \"OnlineAggregates\" WHERE {Key}", "@module", "@seconds", "@start", "@release");
        await using var upsert = Command(connection, transaction,
            "INSERT INTO \"OnlineAggregates\" (\"ModuleId\", \"BucketSeconds\", \"BucketStart\", \"ReleaseId\", \"Count\", \"Corrections\", \"LatencySumMs\", \"LatencyHistogram\") " +
            "VALUES (@module, @seconds, @start, @release, @count, @corrections, @sum, @histogram) " +
            "ON CONFLICT(\"ModuleId\", \"BucketSeconds\", \"BucketStart\", \"ReleaseId\") DO UPDATE SET \"Count\" = excluded.\"Count\", \"Corrections\" = excluded.\"Corrections\", " +
            "\"LatencySumMs\" = excluded.\"LatencySumMs\", \"LatencyHistogram\" = excluded.\"LatencyHistogram\"",
            "@module", "@seconds", "@start", "@release", "@count", "@corrections", "@sum", "@histogram");

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

    private static string? FeaturesJson(IReadOnlyList<double>? features) =>
        features is null ? null : System.Text.Json.JsonSerializer.Serialize(features);

    // The hourly drift histograms of the stored events, per module, hour, release and descriptor.
    private static async Task<Dictionary<(int Module, long Hour, int Release, string Descriptor), DriftHistogram>> DriftHoursAsync(
        DbConnection connection, DbTransaction transaction, List<OnlineEventRow> stored)
    {
        var hours = new Dictionary<(int, long, int, string), DriftHistogram>();
        if (stored.Count == 0)
        {
            return hours;
        }

        // Read per batch, not cached: another instance may have changed a module's rules since the last batch.
        var tasks = new Dictionary<int, TaskType>();
        var rules = new Dictionary<int, DataRuleSet>();
        await using (var select = Command(connection, transaction, "SELECT \"Id\", \"TaskType\", \"DataRulesJson\" FROM \"Modules\""))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                // Stored as the enum's name (QualityHubDbContext's conversion).
                tasks[reader.GetInt32(0)] = Enum.Parse<TaskType>(reader.GetString(1));
                if (!reader.IsDBNull(2) && DataRules.Parse(reader.GetString(2)) is { IsEmpty: false } moduleRules)
                {
                    rules[reader.GetInt32(0)] = moduleRules.Compile();
                }
            }
        }

        const long HourTicks = TimeSpan.TicksPerHour;
        foreach (var e in stored)
        {
            var hour = e.Timestamp.UtcTicks - (e.Timestamp.UtcTicks % HourTicks);
            foreach (var (descriptor, keys) in (e.Descriptors ?? EventDescriptors.None).Keys(tasks.GetValueOrDefault(e.ModuleId), e.Predicted))
            {
                var key = (e.ModuleId, hour, e.ReleaseId, descriptor.Name);
                if (!hours.TryGetValue(key, out var histogram))
                {
                    hours[key] = histogram = new DriftHistogram();
                }

                histogram.AddEvent(keys, e.Corrected);
            }

            // The module's data rules: each rule's bin counts the event as checked, and as broken when it broke the rule.
            if (rules.TryGetValue(e.ModuleId, out var check))
            {
                var key = (e.ModuleId, hour, e.ReleaseId, DataRules.CountsDescriptor);
                if (!hours.TryGetValue(key, out var counts))
                {
                    hours[key] = counts = new DriftHistogram();
                }

                counts.AddChecks(check.Check(e.Descriptors ?? EventDescriptors.None, e.Predicted, e.Corrected ? e.CorrectedValue : null));
            }
        }

        return hours;
    }

    /// <summary>Adds each hour's histogram to its stored row, as the aggregates are (read, add, write back).</summary>
    private static async Task UpsertDriftAsync(
        DbConnection connection, DbTransaction transaction, Dictionary<(int Module, long Hour, int Release, string Descriptor), DriftHistogram> hours)
    {
        if (hours.Count == 0)
        {
            return;
        }

        const string Key = "\"ModuleId\" = @module AND \"HourStart\" = @hour AND \"ReleaseId\" = @release AND \"Descriptor\" = @descriptor";
        await using var select = Command(connection, transaction,
            $"SELECT \"Events\", \"Bins\" FROM \"DriftAggregates\" WHERE {Key}", "@module", "@hour", "@release", "@descriptor");
        await using var upsert = Command(connection, transaction,
            "INSERT INTO \"DriftAggregates\" (\"ModuleId\", \"HourStart\", \"ReleaseId\", \"Descriptor\", \"Events\", \"Bins\") " +
            "VALUES (@module, @hour, @release, @descriptor, @events, @bins) " +
            "ON CONFLICT(\"ModuleId\", \"HourStart\", \"ReleaseId\", \"Descriptor\") DO UPDATE SET \"Events\" = excluded.\"Events\", \"Bins\" = excluded.\"Bins\"",
            "@module", "@hour", "@release", "@descriptor", "@events", "@bins");
        foreach (var ((module, hour, release, descriptor), added) in hours)
        {
            select.Parameters[0].Value = upsert.Parameters[0].Value = module;
            select.Parameters[1].Value = upsert.Parameters[1].Value = hour;
            select.Parameters[2].Value = upsert.Parameters[2].Value = release;
            select.Parameters[3].Value = upsert.Parameters[3].Value = descriptor;
            var total = new DriftHistogram();
            await using (var reader = await select.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync())
                {
                    total.AddJson(reader.GetInt64(0), reader.GetString(1));
                }
            }

            total.Add(added);
            if (DriftDescriptors.Find(descriptor) is { IsContinuous: false })
            {
                total.CapCategories(DriftDescriptors.MaxLabels, DriftDescriptors.OtherLabel);
            }

            upsert.Parameters[4].Value = total.Events;
            upsert.Parameters[5].Value = total.ToJson();
            await upsert.ExecuteNonQueryAsync();
        }
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
