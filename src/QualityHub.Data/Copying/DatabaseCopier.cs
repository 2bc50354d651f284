using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace QualityHub.Data.Copying;

/// <summary>
/// Copies every record of the configured database (normally the embedded SQLite file) into an empty PostgreSQL
/// database, so a team can move from one machine to a shared server without losing history:
/// <list type="number">
/// <item>the source must exist and be fully migrated (it is only read, in one snapshot);</item>
/// <item>the target is created if missing and migrated with the PostgreSQL migrations, by the same
/// <see cref="DatabaseInitializer"/> the app starts with;</item>
/// <item>the target must hold no QualityHub rows: nothing is ever merged or overwritten;</item>
/// <item>every table of the EF model is copied in foreign-key order with binary COPY, keys and values as they are,
/// inside one target transaction, so a failure half-way leaves the target empty;</item>
/// <item>identity sequences are moved past the copied keys, so new rows do not collide with copied ones.</item>
/// </list>
/// </summary>
public sealed class DatabaseCopier(
    IDbContextFactory<QualityHubDbContext> sourceFactory,
    IOptions<StorageOptions> storage,
    ILoggerFactory loggerFactory)
{
    /// <summary>How long the copy waits for the target's tables when another session is using them.</summary>
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Copies the configured database into the PostgreSQL database of <paramref name="targetConnectionString"/>
    /// (Npgsql keyword form; see <see cref="PostgresConnection.FromKeywordsOrUri"/>). <paramref name="onTableCopied"/>
    /// hears of each table as it is done. Refusals and failures throw a <see cref="DatabaseCopyException"/> with a
    /// one-line message that names no password.
    /// </summary>
    public async Task<CopySummary> CopyToPostgresAsync(
        string targetConnectionString, Func<CopiedTable, Task>? onTableCopied = null, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var where = PostgresConnection.Describe(targetConnectionString);
        var hostAndPort = PostgresConnection.HostAndPort(targetConnectionString);

        await using var source = await OpenSourceAsync(targetConnectionString, cancellationToken);
        await CheckReachableAsync(targetConnectionString, hostAndPort, cancellationToken);

        await using var targetServices = TargetServices(targetConnectionString);
        try
        {
            await targetServices.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        }
        catch (StartupException e)
        {
            // The initializer's refusals (someone else's tables, a newer schema, no right to create the database) name
            // the setting the app reads; here the connection came from --to.
            throw new DatabaseCopyException(e.Message.Replace($"ConnectionStrings:{StorageOptions.ConnectionStringName}", "--to", StringComparison.Ordinal), e);
        }

        await using var target = await targetServices.GetRequiredService<IDbContextFactory<QualityHubDbContext>>().CreateDbContextAsync(cancellationToken);

        var plan = CopyPlan.Build(source.Model, target.Model);
        var copied = new List<CopiedTable>(plan.Tables.Count);
        CopyTable? current = null;
        try
        {
            await target.Database.OpenConnectionAsync(cancellationToken);
            var connection = (NpgsqlConnection)target.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LockAndCheckEmptyAsync(connection, plan, where, cancellationToken);

            foreach (var table in plan.Tables)
            {
                current = table;
                var watch = Stopwatch.StartNew();
                var rows = await CopyTableAsync(source, connection, table, cancellationToken);
                var done = new CopiedTable(table.Name, rows, watch.Elapsed);
                copied.Add(done);
                if (onTableCopied is not null)
                {
                    await onTableCopied(done);
                }
            }

            current = null;
            foreach (var table in plan.Tables)
            {
                await ResetSequencesAsync(connection, table, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException { InnerException: DbException })
        {
            var cause = e as DbException ?? (DbException)e.InnerException!;
            var during = current is null ? "" : $" while copying {current.Name}";
            var reason = cause is NpgsqlException ? PostgresConnection.Reason(cause) : cause.Message.TrimEnd('.');
            throw new DatabaseCopyException(
                $"Copying into {where} failed{during}: {reason}. Nothing was copied: the copy is one transaction, and it was rolled back.", e);
        }

        return new CopySummary(storage.Value.DescribeDatabase(), where, copied, total.Elapsed);
    }

    // The configured database, read in one snapshot (a deferred SQLite transaction, or PostgreSQL's repeatable read),
    // so a portal still writing to it cannot make the copy inconsistent.
    private async Task<QualityHubDbContext> OpenSourceAsync(string targetConnectionString, CancellationToken cancellationToken)
    {
        var options = storage.Value;
        var provider = options.ResolveProvider();
        var described = options.DescribeDatabase();
        if (provider == DatabaseProvider.Sqlite && !File.Exists(options.ResolveDatabasePath()))
        {
            throw new DatabaseCopyException(
                $"There is no database at {described} to copy. Point Storage:DataDirectory (or Storage:DatabasePath) at the portal's data.");
        }

        if (provider == DatabaseProvider.Postgres && SameDatabase(PostgresConnection.Require(options), targetConnectionString))
        {
            throw new DatabaseCopyException($"The source and the target are the same database ({described}).");
        }

        var context = await sourceFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            var known = context.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
            var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            if (applied.FirstOrDefault(id => !known.Contains(id)) is { } unknown)
            {
                throw new DatabaseCopyException(
                    $"Database {described} was written by a newer QualityHub (migration {unknown} is unknown to this version). Copy it with that version.");
            }

            var pending = known.Except(applied).Order(StringComparer.Ordinal).ToList();
            if (pending.Count > 0)
            {
                throw new DatabaseCopyException(
                    $"Database {described} is not up to date ({pending.Count} migration(s) pending, the first {pending[0]}). " +
                    "Run 'qualityhub migrate' with the same settings first, then copy it.");
            }

            if (provider == DatabaseProvider.Sqlite)
            {
                await context.Database.OpenConnectionAsync(cancellationToken);
                var snapshot = ((SqliteConnection)context.Database.GetDbConnection()).BeginTransaction(deferred: true);
                await context.Database.UseTransactionAsync(snapshot, cancellationToken);
            }
            else
            {
                await context.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            }

            return context;
        }
        catch (SqliteException e)
        {
            await context.DisposeAsync();
            throw new DatabaseCopyException($"Database {described} cannot be read: {e.Message.TrimEnd('.')}. It was left untouched.", e);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException { InnerException: NpgsqlException })
        {
            await context.DisposeAsync();
            var cause = e as NpgsqlException ?? (NpgsqlException)e.InnerException!;
            throw new DatabaseCopyException($"{described} cannot be read: {PostgresConnection.Reason(cause)}.", e);
        }
        catch
        {
            await context.DisposeAsync();
            throw;
        }
    }

    private static bool SameDatabase(string a, string b)
    {
        var (x, y) = (new NpgsqlConnectionStringBuilder(a), new NpgsqlConnectionStringBuilder(b));
        return string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase) && x.Port == y.Port && string.Equals(x.Database, y.Database, StringComparison.Ordinal);
    }

    // Before anything is created: a server that does not answer is named here in the command's own words. A database
    // that does not exist yet is fine, the initializer creates it.
    private static async Task CheckReachableAsync(string connectionString, string hostAndPort, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
        }
        catch (NpgsqlException e)
        {
            throw new DatabaseCopyException($"PostgreSQL at {hostAndPort} cannot be used: {PostgresConnection.Reason(e)}. Check that it runs and accepts this sign-in, or fix --to.", e);
        }
    }

    // The target as the app itself would configure it (Storage:Provider postgres), for its initializer and model.
    private ServiceProvider TargetServices(string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"] = "postgres",
            [$"{StorageOptions.SectionName}:{nameof(StorageOptions.DataDirectory)}"] = storage.Value.ResolveDataDirectory(),
            [$"ConnectionStrings:{StorageOptions.ConnectionStringName}"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddLogging();
        services.AddQualityHubData(configuration);
        return services.BuildServiceProvider();
    }

    // Other sessions may read but not write while the copy runs; a target holding any row is refused, whole.
    private static async Task LockAndCheckEmptyAsync(NpgsqlConnection connection, CopyPlan plan, string where, CancellationToken cancellationToken)
    {
        await using (var lockTables = new NpgsqlCommand(
            $"SET LOCAL lock_timeout = '{(int)LockTimeout.TotalMilliseconds}ms'; LOCK TABLE {string.Join(", ", plan.Tables.Select(t => t.QuotedName))} IN EXCLUSIVE MODE", connection))
        {
            try
            {
                await lockTables.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new DatabaseCopyException(
                    $"{where} is in use: another session kept its tables for {LockTimeout.TotalSeconds:0} s (a portal running on it?). " +
                    "Nothing was copied; stop what uses it and copy again.", e);
            }
        }

        var holding = new List<string>();
        foreach (var table in plan.Tables)
        {
            await using var any = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {table.QuotedName})", connection);
            if ((bool)(await any.ExecuteScalarAsync(cancellationToken))!)
            {
                holding.Add(table.Name);
            }
        }

        if (holding.Count > 0)
        {
            throw new DatabaseCopyException(
                $"{where} already holds QualityHub records (in {string.Join(", ", holding)}); copy-database only fills an empty database " +
                "and never merges. Copy into a new database (it is created if missing), or drop this one first.");
        }
    }

    private static async Task<long> CopyTableAsync(QualityHubDbContext source, NpgsqlConnection target, CopyTable table, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", table.Columns.Select(c => CopyTable.Quote(c.Name)));
        await using var copy = await target.BeginBinaryImportAsync($"COPY {table.QuotedName} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        long rows = 0;
        await foreach (var row in ReadRows(source, table).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await copy.StartRowAsync(cancellationToken);
            for (var i = 0; i < row.Length; i++)
            {
                if (table.Columns[i].ToProvider(row[i]) is { } value)
                {
                    await copy.WriteAsync(value, table.Columns[i].StoreType, cancellationToken);
                }
                else
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
            }

            rows++;
        }

        await copy.CompleteAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// The table's rows in key order, each as its properties' values (shadow properties too) the way the app reads them:
    /// <c>Set&lt;T&gt;().OrderBy(key).Select(e =&gt; new object[] { EF.Property&lt;T1&gt;(e, "A"), … })</c>, built from the model.
    /// </summary>
    private static IQueryable<object?[]> ReadRows(QualityHubDbContext context, CopyTable table)
    {
        var type = table.Source;
        var set = (IQueryable)(type.HasSharedClrType
            ? SharedSet.MakeGenericMethod(type.ClrType).Invoke(context, [type.Name])
            : Set.MakeGenericMethod(type.ClrType).Invoke(context, null))!;
        var entity = Expression.Parameter(type.ClrType, "e");
        var query = set.Expression;
        var first = true;
        foreach (var key in table.Key)
        {
            query = Expression.Call(
                typeof(Queryable), first ? nameof(Queryable.OrderBy) : nameof(Queryable.ThenBy), [type.ClrType, key.ClrType],
                query, Expression.Quote(Expression.Lambda(Value(entity, key), entity)));
            first = false;
        }

        var row = Expression.NewArrayInit(typeof(object), table.Columns.Select(c => Expression.Convert(Value(entity, c.Property), typeof(object))));
        query = Expression.Call(
            typeof(Queryable), nameof(Queryable.Select), [type.ClrType, typeof(object[])],
            query, Expression.Quote(Expression.Lambda(row, entity)));
        return set.Provider.CreateQuery<object?[]>(query);
    }

    private static readonly System.Reflection.MethodInfo Set = typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!;

    private static readonly System.Reflection.MethodInfo SharedSet = typeof(DbContext).GetMethod(nameof(DbContext.Set), [typeof(string)])!;

    private static readonly System.Reflection.MethodInfo PropertyOf = typeof(EF).GetMethod(nameof(EF.Property))!;

    private static MethodCallExpression Value(ParameterExpression entity, IProperty property) =>
        Expression.Call(PropertyOf.MakeGenericMethod(property.ClrType), entity, Expression.Constant(property.Name));

    // Identity columns hand out values from a sequence that knows nothing of the copied keys: the next value is set to
    // one past the largest copied (1 for an empty table).
    private static async Task ResetSequencesAsync(NpgsqlConnection connection, CopyTable table, CancellationToken cancellationToken)
    {
        foreach (var column in table.GeneratedColumns)
        {
            await using var reset = new NpgsqlCommand(
                $"SELECT setval(s, COALESCE((SELECT max({CopyTable.Quote(column)}) FROM {table.QuotedName}), 0) + 1, false) " +
                "FROM pg_get_serial_sequence(@table, @column) AS s WHERE s IS NOT NULL", connection);
            reset.Parameters.AddWithValue("table", table.QuotedName);
            reset.Parameters.AddWithValue("column", column);
            await reset.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

/// <summary>A copy was refused or failed; the message says why and what to do, in one line, with no password.</summary>
public sealed class DatabaseCopyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One table copied: its name, how many rows, how long it took.</summary>
public sealed record CopiedTable(string Table, long Rows, TimeSpan Elapsed);

/// <summary>What a finished copy did: from where, to where (no password), each table, and the whole time.</summary>
public sealed record CopySummary(string Source, string Target, IReadOnlyList<CopiedTable> Tables, TimeSpan Elapsed)
{
    public long Rows => Tables.Sum(t => t.Rows);
}
