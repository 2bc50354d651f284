using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace QualityHub.Data.Tests.Database;

/// <summary>
/// The migrations build exactly the schema the EF model describes: one database from the migrations, one from the model
/// (EnsureCreated), compared table by table. The first eight were written by hand; the model snapshot dotnet-ef keeps
/// must agree with the model too, or the next generated migration would carry someone else's change.
/// </summary>
public class MigrationsMatchModelTests
{
    [Fact]
    public async Task Storage_runs_on_the_engine_the_test_run_names()
    {
        using var folder = new TempFolder();
        await using var storage = new Storage(folder.Path);
        await using var db = await storage.CreateContextAsync();

        Assert.Equal(TestDatabase.IsPostgres ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite", db.Database.ProviderName);
    }

    [Fact]
    public async Task Migrations_are_up_to_date_with_the_model()
    {
        using var folder = new TempFolder();
        await using var storage = new Storage(folder.Path);
        await using var db = await storage.CreateContextAsync();

        Assert.False(
            db.Database.HasPendingModelChanges(),
            TestDatabase.IsPostgres
                ? "The EF model changed without a PostgreSQL migration: dotnet ef migrations add <WhatChanged> --project src/QualityHub.Data.Postgres"
                : "The EF model changed without a migration: dotnet ef migrations add <WhatChanged> --project src/QualityHub.Data");
    }

    [Fact]
    [Trait("Engine", "sqlite")]
    public async Task A_database_built_by_migrations_matches_the_EF_model()
    {
        using var folder = new TempFolder();

        await using var migrated = new Storage(folder.Path, folder.File("migrated.db"));
        await migrated.Initializer.InitializeAsync();

        await using var modelled = new Storage(folder.Path, folder.File("modelled.db"));
        await using (var db = await modelled.CreateContextAsync())
        {
            Assert.True(await db.Database.EnsureCreatedAsync());
        }

        var expected = await DescribeSchemaAsync(modelled);
        var actual = await DescribeSchemaAsync(migrated);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    [Trait("Engine", "sqlite")]
    public async Task Every_entity_of_the_model_has_a_table_after_migrating()
    {
        using var folder = new TempFolder();
        await using var storage = new Storage(folder.Path);
        await storage.Initializer.InitializeAsync();

        await using var db = await storage.CreateContextAsync();
        var tables = (await DescribeSchemaAsync(storage)).Select(line => line.Split(' ')[1]).ToHashSet();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            Assert.Contains(entity.GetTableName()!, tables);
        }
    }

    [Fact]
    [Trait("Engine", "sqlite")]
    public async Task Undoing_the_ticket_workflow_gives_back_the_schema_before_it_and_keeps_the_tickets()
    {
        using var folder = new TempFolder();
        await using var before = new Storage(folder.Path, folder.File("before.db"));
        await using (var db = await before.CreateContextAsync())
        {
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync("20261124010000_ErrorGallery");
        }

        await using var undone = new Storage(folder.Path, folder.File("undone.db"));
        await undone.Initializer.InitializeAsync();
        await using (var db = await undone.CreateContextAsync())
        {
            db.VocTickets.Add(new Core.Domain.VocTicket { Title = "kept", CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync();
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync("20261124010000_ErrorGallery");
        }

        Assert.Equal(await DescribeSchemaAsync(before), await DescribeSchemaAsync(undone));
        await using (var db = await undone.CreateContextAsync())
        {
            Assert.Equal(["kept"], await db.Database.SqlQueryRaw<string>("SELECT Title AS Value FROM VocTickets").ToListAsync());
        }
    }

    /// <summary>
    /// Columns, indexes and foreign keys of every table but EF's own (the migration history, and the lock EF 9 and
    /// later take while migrating), one sorted line each.
    /// </summary>
    private static async Task<List<string>> DescribeSchemaAsync(Storage storage)
    {
        await using var db = await storage.CreateContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();

        var lines = new List<string>();
        var tables = await QueryAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock')");
        foreach (var table in tables.Select(row => row[0]))
        {
            foreach (var c in await QueryAsync(connection, $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}')"))
            {
                lines.Add($"column {table}.{c[0]} type={c[1]} notnull={c[2]} default={c[3]} pk={c[4]}");
            }

            foreach (var i in await QueryAsync(connection, $"SELECT name, \"unique\", origin FROM pragma_index_list('{table}')"))
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{i[0]}') ORDER BY seqno");
                lines.Add($"index {table} {i[0]} unique={i[1]} origin={i[2]} ({string.Join(",", columns.Select(col => col[0]))})");
            }

            foreach (var f in await QueryAsync(connection, $"SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')"))
            {
                lines.Add($"foreignkey {table}.{f[0]} -> {f[1]}.{f[2]} on_delete={f[3]}");
            }

            var autoincrement = await QueryAsync(connection, $"SELECT sql LIKE '%AUTOINCREMENT%' FROM sqlite_master WHERE name = '{table}'");
            lines.Add($"table {table} autoincrement={autoincrement[0][0]}");
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string?[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }
}
