using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Data.Accounts;

namespace QualityHub.Data.Tests.Database;

/// <summary>
/// Fixtures/qualityhub-20261201050000.db was written by QualityHub at c1cefe3 (EF Core 8.0.33, hand-written migrations up
/// to 20261201050000, rows saved through its own entity classes; tools/upgrade-fixture/make.sh). Today's code must open it
/// as it is: the applied migration ids still known, nothing to apply, every row as it was and readable.
/// </summary>
[Trait("Engine", "sqlite")]
public class UpgradeFromEarlierDatabaseTests
{
    private static readonly string[] AppliedByTheFixture =
    [
        "20261122040000_InitialSchema", "20261123010000_PredictionBatchSize", "20261124010000_ErrorGallery",
        "20261201010000_TicketWorkflow", "20261201020000_OnlineEvents", "20261201030000_ReleaseDecision",
        "20261201040000_Accounts", "20261201050000_PredictionsWithoutSampleIndex",
    ];

    /// <summary>Migrations written after the fixture was made; opening it applies them with today's EF Core.</summary>
    private static readonly string[] AppliedSince = ["20261205010000_ReleaseRules", "20261205110000_SignedInAuthors", "20261205120000_TicketLinks", "20261205130000_ModuleTextComparison", "20261205185240_DataProtectionKeys", "20261205192959_EvaluationLeases", "20261206010503_EvaluationRunWorkers", "20261206094450_Pipelines", "20261206172141_OnlineDrift", "20261206181410_RetrainingRequests", "20261206210815_DataValidation", "20261207004700_LabelingJobs"];

    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_database_from_the_EF_Core_8_version_opens_with_every_row_intact()
    {
        using var folder = new TempFolder();
        var path = CopyFixture(folder);
        var before = await DumpAsync(path);
        var columnsBefore = await ColumnsAsync(path);

        await using var storage = new Storage(folder.Path);
        await storage.Initializer.InitializeAsync();

        // Every row as it was (in the columns it had; later versions add columns); the migration history gains
        // today's migrations and nothing else changes.
        static IEnumerable<string> Rows(IEnumerable<string> dump) => dump.Where(line => !line.Contains("__EFMigrationsHistory", StringComparison.Ordinal));
        var after = await DumpAsync(path, columnsBefore);
        // Tables later versions add (the data-protection key ring) start empty.
        var added = after.Where(line => line.StartsWith("table ", StringComparison.Ordinal) && !columnsBefore.ContainsKey(line.Split(' ')[1])).ToList();
        Assert.All(added, line => Assert.EndsWith(" rows=0", line));
        Assert.Equal(Rows(before), Rows(after).Where(line => !added.Contains(line)));
        Assert.Contains($"table __EFMigrationsHistory rows={AppliedByTheFixture.Length + AppliedSince.Length}", after);
        // Enough rows that "intact" means something: every table the old version had, with what it wrote.
        Assert.Contains("table AspNetUsers rows=2", before);
        Assert.Contains("table Predictions rows=3", before);
        Assert.Contains("table VocTickets rows=2", before);
        Assert.Contains("table TicketEvents rows=2", before);
        Assert.Contains("table AuditEntries rows=34", before);
    }

    [Fact]
    public async Task The_applied_migration_ids_stay_valid_and_nothing_is_pending()
    {
        using var folder = new TempFolder();
        CopyFixture(folder);
        await using var storage = new Storage(folder.Path);
        await storage.Initializer.InitializeAsync();

        await using var db = await storage.CreateContextAsync();
        Assert.Equal(AppliedByTheFixture.Concat(AppliedSince), await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var versions = await db.Database.SqlQueryRaw<string>("SELECT ProductVersion AS Value FROM __EFMigrationsHistory ORDER BY MigrationId").ToListAsync();
        Assert.Equal(Enumerable.Repeat("8.0.33", AppliedByTheFixture.Length), versions.Take(AppliedByTheFixture.Length));
        Assert.All(versions.Skip(AppliedByTheFixture.Length), v => Assert.StartsWith("10.", v));
    }

    [Fact]
    public async Task Todays_entity_classes_read_what_the_old_version_wrote()
    {
        using var folder = new TempFolder();
        CopyFixture(folder);
        await using var storage = new Storage(folder.Path);
        await storage.Initializer.InitializeAsync();
        await using var db = await storage.CreateContextAsync();

        var module = await db.Modules.Include(m => m.ErrorTags).SingleAsync();
        Assert.Equal(("card-number-ocr", TaskType.TextRecognition, T0), (module.Name, module.TaskType, module.CreatedAt));
        Assert.Equal(ErrorTaxonomy.DefaultTags.Order(), module.ErrorTags.Select(t => t.Name).Order());

        var dataset = await db.Datasets.Include(d => d.Samples).SingleAsync();
        Assert.Equal((DatasetSplit.Test, "CC-BY-4.0", true), (dataset.Split, dataset.LicenceId, dataset.CommercialUseAllowed));
        Assert.Equal(["printed", "embossed"], dataset.Labels);
        Assert.Equal(["shadow"], dataset.Samples.Single(s => s.Ordinal == 0).Tags);

        var run = await db.EvaluationRuns.SingleAsync(r => r.Status == RunStatus.Completed);
        Assert.Equal((3, "CPUExecutionProvider", T0.AddHours(2).AddSeconds(5)), (run.CompletedSamples, run.Provider, run.CompletedAt));
        Assert.Equal("model file missing", (await db.EvaluationRuns.SingleAsync(r => r.Status == RunStatus.Failed)).Error);
        var predictions = await db.Predictions.Where(p => p.EvaluationRunId == run.Id).OrderBy(p => p.SampleId).ToListAsync();
        Assert.Equal([0, 0, 1], predictions.Select(p => p.EditDistance ?? -1));
        Assert.Equal(("4111 1111 1111 1113", 5.125, 3), (predictions[2].Output, predictions[2].ComputeMs, predictions[2].BatchSize));
        Assert.Equal(2, await db.ModelVersions.CountAsync());

        Assert.Equal("blur", (await db.SampleErrorTags.Include(t => t.ErrorTag).SingleAsync()).ErrorTag!.Name);
        Assert.Equal("last digit smudged", (await db.SampleNotes.SingleAsync()).Text);
        Assert.Equal("4111 1111 1111 1117", (await db.GroundTruthFlags.SingleAsync()).SuggestedLabel);
        var requirement = await db.Requirements.SingleAsync();
        Assert.Equal((ServingTarget.LocalGpu, 1234.50m, 0.95), (requirement.ServingTarget, requirement.BudgetPerMonth, requirement.AccuracyThreshold));

        var release = await db.Releases.Include(r => r.Entries).SingleAsync();
        Assert.Equal((ReleaseStatus.Current, "ada", T0.AddHours(6)), (release.Status, release.ApprovedBy, release.ApprovedAt));
        Assert.Single(release.Entries);
        Assert.Equal("not measured yet", (await db.ReleaseWaivers.SingleAsync()).Reason);
        Assert.Equal(T0.AddHours(6), (await db.ProductionHistory.SingleAsync()).From);
        Assert.Equal(("4117", true), ((await db.OnlineEvents.SingleAsync()).CorrectedValue, (await db.OnlineEvents.SingleAsync()).Corrected));
        Assert.Equal([0, 1, 2, 3], (await db.OnlineAggregates.SingleAsync()).LatencyHistogram);

        var ticket = await db.VocTickets.SingleAsync(t => t.Status == TicketStatus.Fixed);
        Assert.Equal(("Expiry read as card number", TicketSeverity.High, release.Id), (ticket.Title, ticket.Severity, ticket.FixedInReleaseId));
        Assert.Equal(["field-mixup", "ios"], ticket.Tags);
        Assert.Equal(dataset.Samples.Single(s => s.Ordinal == 2).Id, ticket.RegressionSampleId);
        Assert.Equal("Reproduced with sample 3", (await db.TicketComments.SingleAsync(c => c.TicketId == ticket.Id)).Text);
        Assert.Equal(("", null), (ticket.ReportedBy, ticket.CustomerReference)); // its history has no "created" entry to name a reporter
        Assert.Equal("", (await db.SampleNotes.SingleAsync()).Author); // written before authors were kept
        Assert.Equal(["Triaged", "Fixed"], await db.TicketEvents.Where(e => e.TicketId == ticket.Id).OrderBy(e => e.At).Select(e => e.To).ToListAsync());
    }

    [Fact]
    public async Task Accounts_keys_and_the_audit_log_survive_and_the_password_still_signs_in()
    {
        using var folder = new TempFolder();
        CopyFixture(folder);
        await using var storage = new Storage(folder.Path);
        await storage.Initializer.InitializeAsync();
        await using var db = await storage.CreateContextAsync();

        var ada = await db.Users.SingleAsync(u => u.NormalizedUserName == "ADA");
        Assert.Equal(
            PasswordVerificationResult.Success,
            new PasswordHasher<IdentityUser>().VerifyHashedPassword(ada, ada.PasswordHash!, "upgrade-fixture-Pa55"));
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == ada.Id select r.Name).ToListAsync();
        Assert.Equal([QualityHubRoles.Admin], roles);
        Assert.True((await db.Users.SingleAsync(u => u.NormalizedUserName == "GRACE")).LockoutEnabled);

        var key = await db.ApiKeys.SingleAsync();
        Assert.Equal(("qhk_ab12", QualityHubRoles.Modeler, null), (key.Prefix, key.Role, key.RevokedAt));
        Assert.Equal(34, await db.AuditEntries.CountAsync(e => e.Actor == "ada"));
    }

    [Fact]
    public async Task An_upgraded_database_takes_new_rows_after_the_old_ones()
    {
        using var folder = new TempFolder();
        CopyFixture(folder);
        await using var storage = new Storage(folder.Path);
        await storage.Initializer.InitializeAsync();

        await using (var db = await storage.CreateContextAsync())
        {
            var ticket = await db.VocTickets.SingleAsync(t => t.Status == TicketStatus.Fixed);
            db.TicketComments.Add(new TicketComment { TicketId = ticket.Id, Author = "grace", Text = "confirmed after the upgrade", CreatedAt = T0.AddDays(5) });
            await db.SaveChangesAsync();
        }

        await using var again = await storage.CreateContextAsync();
        Assert.Equal(
            ["Reproduced with sample 3", "confirmed after the upgrade"],
            await again.TicketComments.OrderBy(c => c.Id).Select(c => c.Text).ToListAsync());
    }

    private static string CopyFixture(TempFolder folder)
    {
        var path = folder.File("qualityhub.db");
        File.Copy(RepositoryFiles.Path("tests", "QualityHub.Data.Tests", "Fixtures", "qualityhub-20261201050000.db"), path);
        return path;
    }

    /// <summary>
    /// Every table with every row, one line each, read with plain SQL so the dump does not depend on today's entity
    /// classes. EF's migrations lock table is left out: EF 9 and later may add it when it migrates.
    /// </summary>
    // Each table's columns, as the database at this path has them now.
    private static async Task<Dictionary<string, HashSet<string>>> ColumnsAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table'";
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new Dictionary<string, HashSet<string>>();
        while (await reader.ReadAsync())
        {
            (columns.TryGetValue(reader.GetString(0), out var set) ? set : columns[reader.GetString(0)] = []).Add(reader.GetString(1));
        }

        return columns;
    }

    private static async Task<List<string>> DumpAsync(string path, Dictionary<string, HashSet<string>>? onlyColumns = null)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '__EFMigrationsLock' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var lines = new List<string>();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            // sqlite_sequence by table name: a rebuilt table's counter row is written anew, at the end.
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY {(table == "sqlite_sequence" ? "name" : "rowid")}";
            await using var reader = await select.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                var cells = Enumerable.Range(0, reader.FieldCount)
                    .Where(i => onlyColumns?.GetValueOrDefault(table) is not { } only || only.Contains(reader.GetName(i)))
                    // By name: SQLite rebuilds a table to add a foreign key, and the rebuilt table's columns come in another order.
                    .OrderBy(reader.GetName, StringComparer.Ordinal)
                    .Select(i => $"{reader.GetName(i)}={Format(reader.GetValue(i))}");
                lines.Add($"row {table}: {string.Join("; ", cells)}");
                rows++;
            }

            lines.Add($"table {table} rows={rows}");
        }

        return lines;
    }

    private static string Format(object value) => value switch
    {
        DBNull => "NULL",
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
