using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using QualityHub.Core.Domain;
using QualityHub.Data;

namespace QualityHub.Cli.Tests;

/// <summary>
/// qualityhub copy-database: a SQLite portal's records, every table of them, into PostgreSQL (the run's throwaway
/// server, a database per test) and nothing else: no merging, no half copies, no password in the output.
/// </summary>
public sealed class CopyDatabaseTests : IDisposable
{
    private readonly TempFolder temp = new("qualityhub-copy-");

    private string Data => $"--Storage:DataDirectory={temp.Path}";

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task FillSourceAsync()
    {
        var migrate = await RunAsync("migrate", Data);
        Assert.True(migrate.ExitCode == 0, migrate.Error);
        await using var db = FullDatabase.OpenSqlite(temp.Path);
        await FullDatabase.FillAsync(db);
    }

    private static async Task<(string ConnectionString, string Name)> NewTargetAsync()
    {
        var server = await PostgresTestServer.SharedAsync();
        var name = "qh_" + Guid.NewGuid().ToString("N");
        return (server.ConnectionStringFor(name), name);
    }

    [Fact]
    public async Task The_source_used_by_these_tests_has_rows_in_every_table_of_the_model()
    {
        await FillSourceAsync();

        await using var db = FullDatabase.OpenSqlite(temp.Path);
        var types = db.Model.GetEntityTypes().ToList();
        Assert.True(types.Count >= 30, $"{types.Count} entity types");
        foreach (var type in types)
        {
            Assert.True(await FullDatabase.CountAsync(db, type) > 0, $"{type.GetTableName()} has no rows in the test source: add some to FullDatabase.FillAsync.");
        }
    }

    [Fact]
    [Trait("Engine", "postgres")]
    public async Task Every_row_of_every_table_arrives_unchanged_sequences_continue_after_it_and_a_second_copy_is_refused()
    {
        await FillSourceAsync();
        var (target, _) = await NewTargetAsync();

        var (exitCode, output, error) = await RunAsync("copy-database", "--to", target, Data);

        Assert.True(exitCode == 0, error);
        Assert.Matches(@"\nPredictions\s+3,000\s+\d+\.\d\d\n", output);
        Assert.Matches(@"\nAspNetUserTokens\s+1\s+\d+\.\d\d\n", output);
        Assert.Matches(@"copied [\d,]+ rows in 40 tables in \d+\.\d\d s \([\d,]+ rows/s\) into PostgreSQL database qh_\w+ on 127\.0\.0\.1:\d+; \d+\.\d\d s in all", output);
        Assert.Contains($"they stay in {Path.Combine(temp.Path, "store")}", output);

        await using var source = FullDatabase.OpenSqlite(temp.Path);
        await using var copy = FullDatabase.OpenPostgres(target);
        Assert.Empty(await copy.Database.GetPendingMigrationsAsync());
        foreach (var type in source.Model.GetEntityTypes())
        {
            var expected = await FullDatabase.RowsAsync(source, type);
            var actual = await FullDatabase.RowsAsync(copy, copy.Model.FindEntityType(type.Name)!);
            Assert.True(expected.Count == actual.Count, $"{type.GetTableName()}: {expected.Count} rows in the source, {actual.Count} in the copy");
            var properties = type.GetProperties().ToList();
            for (var row = 0; row < expected.Count; row++)
            {
                for (var column = 0; column < properties.Count; column++)
                {
                    Assert.True(
                        FullDatabase.SameValue(expected[row][column], actual[row][column]),
                        $"{type.GetTableName()} row {row}, {properties[column].Name}: {FullDatabase.Show(expected[row][column])} in the source, {FullDatabase.Show(actual[row][column])} in the copy");
                }
            }
        }

        // Instants to the tick, and the key gaps, as they were.
        var module = await copy.Modules.SingleAsync(m => m.Name == "pets");
        Assert.Equal(7, module.Id);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 4, 45, 7, TimeSpan.Zero).AddTicks(1_234_567), module.CreatedAt);
        Assert.Equal(FullDatabase.Unicode, module.Description);

        // New rows take keys after the copied ones, in every table whose key the database generates.
        copy.Modules.Add(new Module { Name = "new", InputDescription = "-", OutputDescription = "-", CreatedAt = DateTimeOffset.UtcNow });
        await copy.SaveChangesAsync();
        Assert.Equal(43, (await copy.Modules.SingleAsync(m => m.Name == "new")).Id);
        foreach (var type in copy.Model.GetEntityTypes())
        {
            var key = type.FindPrimaryKey()!.Properties;
            if (key is not [{ ValueGenerated: Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd } generated] || generated.ClrType == typeof(string))
            {
                continue;
            }

            var table = $"\"{type.GetTableName()}\"";
            var column = generated.GetColumnName();
            var next = await copy.Database.SqlQuery<long>($"SELECT nextval(pg_get_serial_sequence({table}, {column})) AS \"Value\"").SingleAsync();
            var largest = $"SELECT COALESCE(max(\"{column}\"), 0)::bigint AS \"Value\" FROM {table}";
            var max = await copy.Database.SqlQueryRaw<long>(largest).SingleAsync();
            Assert.True(next > max, $"{table}: the sequence gives {next}, the copied keys go up to {max}");
        }

        var modulesBefore = await copy.Modules.CountAsync();
        var again = await RunAsync("copy-database", "--to", target, Data);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already holds QualityHub records (in ", again.Error);
        Assert.Contains("never merges", again.Error);
        Assert.Equal(modulesBefore, await copy.Modules.CountAsync());
        Assert.Equal(FullDatabase.Predictions, await copy.Predictions.CountAsync());
    }

    [Fact]
    [Trait("Engine", "postgres")]
    public async Task A_failure_half_way_leaves_the_target_empty_and_a_later_copy_fills_it_given_as_a_uri()
    {
        await FillSourceAsync();
        await using (var db = FullDatabase.OpenSqlite(temp.Path))
        {
            // SQLite keeps what it is given; PostgreSQL's varchar(300) refuses it, in a table copied after most others.
            await db.Database.ExecuteSqlAsync($"UPDATE \"VocTickets\" SET \"Title\" = {new string('t', 400)}");
        }

        var (target, name) = await NewTargetAsync();
        var server = await PostgresTestServer.SharedAsync();
        var uri = $"postgres://{PostgresTestServer.User}@{server.Host}:{server.Port}/{name}";

        var failed = await RunAsync("copy-database", "--to", uri, Data);

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("failed while copying VocTickets: value too long for type character varying(300)", failed.Error);
        Assert.Contains("Nothing was copied", failed.Error);
        Assert.Matches(@"\nModules\s+2\s", failed.Output); // copied, then rolled back
        await using var copy = FullDatabase.OpenPostgres(target);
        Assert.Empty(await copy.Database.GetPendingMigrationsAsync());
        foreach (var type in copy.Model.GetEntityTypes())
        {
            Assert.Equal(0, await FullDatabase.CountAsync(copy, type));
        }

        await using (var db = FullDatabase.OpenSqlite(temp.Path))
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE \"VocTickets\" SET \"Title\" = 'fixed'");
        }

        var (exitCode, _, error) = await RunAsync("copy-database", "--to", uri, Data);

        Assert.True(exitCode == 0, error);
        Assert.Equal(FullDatabase.Predictions, await copy.Predictions.CountAsync());
        Assert.Equal("fixed", (await copy.VocTickets.SingleAsync()).Title);
    }

    [Fact]
    [Trait("Engine", "postgres")]
    public async Task A_target_database_that_belongs_to_something_else_is_refused_and_left_untouched()
    {
        await FillSourceAsync();
        var server = await PostgresTestServer.SharedAsync();
        var target = await server.CreateDatabaseAsync();
        var name = target.Split("Database=")[1];
        await server.PsqlAsync(name, "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (7);");

        var (exitCode, _, error) = await RunAsync("copy-database", "--to", target, Data);

        Assert.Equal(1, exitCode);
        Assert.Contains("belongs to something else (tables: invoices)", error);
        Assert.Contains("set --to to another database", error);
        Assert.Equal("invoices", await server.PsqlAsync(name, "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public';"));
    }

    [Fact]
    public async Task An_unreachable_target_is_refused_in_one_line_naming_host_and_port_and_no_password()
    {
        await FillSourceAsync();
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var (exitCode, output, error) = await RunAsync(
            "copy-database", "--to", $"Host=127.0.0.1;Port={closedPort};Database=qualityhub;Username=qualityhub;Password=hunter2-secret;Timeout=3", Data);

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains($"PostgreSQL at 127.0.0.1:{closedPort} cannot be used", error);
        Assert.Contains("or fix --to", error);
        Assert.DoesNotContain("table", output); // no table header before anything is copied
        Assert.DoesNotContain("hunter2", output + error);
    }

    [Theory]
    [InlineData("mysql://qualityhub:hunter2@db/qualityhub")]
    [InlineData("Data Source=/srv/qualityhub/qualityhub.db")]
    [InlineData("/srv/qualityhub/qualityhub.db")]
    [InlineData("Port=5432;Database=qualityhub;Password=hunter2")]
    [InlineData("postgres://qualityhub:hunter2@db/qualityhub?frobnicate=1")]
    public async Task A_target_that_is_not_a_PostgreSQL_connection_string_is_a_usage_error_naming_both_accepted_forms(string to)
    {
        var (exitCode, output, error) = await RunAsync("copy-database", "--to", to, Data);

        Assert.Equal(2, exitCode);
        Assert.Contains("Host=…;Port=5432;Database=…;Username=…;Password=…", error);
        Assert.Contains("postgres://user:password@host:5432/database", error);
        Assert.Contains("usage: qualityhub copy-database", error);
        Assert.DoesNotContain("hunter2", output + error);
    }

    [Fact]
    public async Task Without_to_the_usage_is_printed()
    {
        var (exitCode, _, error) = await RunAsync("copy-database", Data);

        Assert.Equal(2, exitCode);
        Assert.Contains("--to is required", error);
    }

    [Theory]
    [InlineData("postgres://anna:p%40ss%3Aword@db.internal:6543/quality%20hub?sslmode=require", "db.internal", 6543, "anna", "p@ss:word", "quality hub")]
    [InlineData("postgresql://db.internal/qualityhub", "db.internal", 5432, null, null, "qualityhub")]
    [InlineData("postgres://anna@[::1]:5433/qualityhub", "::1", 5433, "anna", null, "qualityhub")]
    [InlineData("Host=db.internal;Port=6543;Database=qualityhub;Username=anna;Password=secret", "db.internal", 6543, "anna", "secret", "qualityhub")]
    public void Both_forms_give_the_same_connection(string text, string host, int port, string? user, string? password, string database)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnection.FromKeywordsOrUri(text));

        Assert.Equal((host, port, user, password, database), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
    }

    [Fact]
    public async Task A_source_with_pending_migrations_is_refused_and_left_as_it_was()
    {
        int pending;
        await using (var db = FullDatabase.OpenSqlite(temp.Path))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261205130000_ModuleTextComparison");
            pending = (await db.Database.GetPendingMigrationsAsync()).Count(); // every migration since, however many come later
        }

        var (exitCode, _, error) = await RunAsync("copy-database", "--to", "Host=127.0.0.1;Port=1;Database=qualityhub;Username=qualityhub", Data);

        Assert.Equal(1, exitCode);
        Assert.True(pending > 1);
        Assert.Contains($"is not up to date ({pending} migration(s) pending, the first 20261205185240_DataProtectionKeys)", error);
        Assert.Contains("Run 'qualityhub migrate'", error);
        await using var after = FullDatabase.OpenSqlite(temp.Path);
        Assert.Equal(pending, (await after.Database.GetPendingMigrationsAsync()).Count());
    }

    [Fact]
    public async Task A_missing_source_is_refused_and_not_created()
    {
        var (exitCode, _, error) = await RunAsync("copy-database", "--to", "Host=127.0.0.1;Port=1;Database=qualityhub;Username=qualityhub", Data);

        Assert.Equal(1, exitCode);
        Assert.Contains($"There is no database at {Path.Combine(temp.Path, "qualityhub.db")} to copy", error);
        Assert.False(File.Exists(Path.Combine(temp.Path, "qualityhub.db")));
    }

    public void Dispose() => temp.Dispose();
}
