using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using QualityHub.Core.Domain;
using QualityHub.Data;
using QualityHub.Data.Accounts;

// Writes a small QualityHub database with the code of the commit it is built in: its DatabaseInitializer applies
// that commit's migrations, and its entity classes and EF version write the rows. The upgrade test
// (tests/QualityHub.Data.Tests/UpgradeFromEarlierDatabaseTests.cs) opens the result with today's code and checks
// these rows, so values here and there must agree.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: UpgradeFixture <new database file>");
    return 2;
}

var path = Path.GetFullPath(args[0]);
if (File.Exists(path))
{
    Console.Error.WriteLine($"{path} exists already; the fixture is written to a new file only.");
    return 1;
}

var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Storage:DataDirectory"] = Path.GetDirectoryName(path),
    ["Storage:DatabasePath"] = path,
}).Build();
var collection = new ServiceCollection();
collection.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
collection.AddQualityHubData(configuration);
await using (var services = collection.BuildServiceProvider())
{
    await services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
    var contexts = services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<QualityHubDbContext>>();
    await using var db = await contexts.CreateDbContextAsync();

    var t0 = new DateTimeOffset(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);

    // Accounts first, written as the setup page does it (no actor yet), then everything else under the admin's name,
    // so the audit log has its entries too.
    var admin = new IdentityUser { UserName = "ada", Email = "ada@example.org" };
    admin.NormalizedUserName = "ADA";
    admin.NormalizedEmail = "ADA@EXAMPLE.ORG";
    admin.SecurityStamp = "SECURITYSTAMP-ADA";
    admin.PasswordHash = new PasswordHasher<IdentityUser>().HashPassword(admin, "upgrade-fixture-Pa55");
    var viewer = new IdentityUser { UserName = "grace", NormalizedUserName = "GRACE", SecurityStamp = "SECURITYSTAMP-GRACE", LockoutEnabled = true };
    db.Users.AddRange(admin, viewer);
    var adminRole = new IdentityRole(QualityHubRoles.Admin) { NormalizedName = "ADMIN" };
    var viewerRole = new IdentityRole(QualityHubRoles.Viewer) { NormalizedName = "VIEWER" };
    db.Roles.AddRange(adminRole, viewerRole);
    db.UserRoles.AddRange(
        new IdentityUserRole<string> { UserId = admin.Id, RoleId = adminRole.Id },
        new IdentityUserRole<string> { UserId = viewer.Id, RoleId = viewerRole.Id });
    db.ApiKeys.Add(new ApiKey { Name = "ci", Role = QualityHubRoles.Modeler, Prefix = "qhk_ab12", Hash = new string('a', 64), CreatedBy = "ada", CreatedAt = t0 });
    await db.SaveChangesAsync();

    AuditActor.Name = "ada";
    var module = new Module { Name = "card-number-ocr", TaskType = TaskType.TextRecognition, InputDescription = "text-line image", OutputDescription = "digits", Description = "Reads the card number", CreatedAt = t0 };
    module.ErrorTags.AddRange(ErrorTaxonomy.Defaults(t0));
    db.Modules.Add(module);
    var dataset = new Dataset
    {
        Name = "cards-test",
        Module = module,
        TaskType = TaskType.TextRecognition,
        Split = DatasetSplit.Test,
        Source = "scanned in house",
        LicenceId = "CC-BY-4.0",
        CommercialUseAllowed = true,
        Attribution = "QualityHub team",
        Labels = ["printed", "embossed"],
        CreatedAt = t0,
    };
    for (var i = 0; i < 3; i++)
    {
        dataset.Samples.Add(new Sample { Ordinal = i, ImageSha256 = new string((char)('a' + i), 64), Width = 320, Height = 48, GroundTruth = $"4111 1111 1111 111{i}", Tags = i == 0 ? ["shadow"] : [] });
    }

    db.Datasets.Add(dataset);
    var v1 = new ModelVersion { Module = module, Name = "v1", Status = ModelStatus.Released, Sha256 = new string('1', 64), FileName = "v1.onnx", SizeBytes = 1234, Producer = "pytorch", Opset = 17, ParameterCount = 42, Notes = "first", TrainedOnDataset = dataset, CreatedAt = t0 };
    var v2 = new ModelVersion { Module = module, Name = "v2", Sha256 = new string('2', 64), FileName = "v2.onnx", SizeBytes = 2345, CreatedAt = t0.AddHours(1) };
    db.ModelVersions.AddRange(v1, v2);
    await db.SaveChangesAsync();

    var samples = dataset.Samples;
    var run = new EvaluationRun { ModelVersionId = v1.Id, DatasetId = dataset.Id, Status = RunStatus.Completed, TotalSamples = 3, CompletedSamples = 3, Provider = "CPUExecutionProvider", MetricsJson = "{\"accuracy\":0.6667}", CreatedAt = t0.AddHours(2), StartedAt = t0.AddHours(2), CompletedAt = t0.AddHours(2).AddSeconds(5) };
    var failed = new EvaluationRun { ModelVersionId = v2.Id, DatasetId = dataset.Id, Status = RunStatus.Failed, TotalSamples = 3, Error = "model file missing", CreatedAt = t0.AddHours(3) };
    db.EvaluationRuns.AddRange(run, failed);
    await db.SaveChangesAsync();
    db.Predictions.AddRange(samples.Select((s, i) => new Prediction
    {
        EvaluationRunId = run.Id,
        SampleId = s.Id,
        Output = i == 2 ? "4111 1111 1111 1113" : s.GroundTruth,
        Confidence = 0.9 - (i / 10.0),
        TopKJson = "[]",
        QueueMs = 1.5,
        PreprocessMs = 0.25,
        ComputeMs = 3.125 + i,
        PostprocessMs = 0.125,
        BatchSize = 3,
        Loss = 0.1 * (i + 1),
        EditDistance = i == 2 ? 1 : 0,
    }));

    var blur = module.ErrorTags.Single(t => t.Name == "blur");
    db.SampleErrorTags.Add(new SampleErrorTag { SampleId = samples[2].Id, ErrorTagId = blur.Id, CreatedAt = t0.AddHours(4) });
    db.SampleNotes.Add(new SampleNote { SampleId = samples[2].Id, Text = "last digit smudged", CreatedAt = t0.AddHours(4) });
    db.GroundTruthFlags.Add(new GroundTruthFlag { SampleId = samples[1].Id, SuggestedLabel = "4111 1111 1111 1117", Reason = "looks like a 7", FlaggedAt = t0.AddHours(4) });
    db.Requirements.Add(new Requirement { Module = module, Version = 1, OfflineP95Ms = 50, AccuracyMetric = "exact-match", AccuracyThreshold = 0.95, AccuracyDatasetId = dataset.Id, TargetQps = 20, ServingTarget = ServingTarget.LocalGpu, GpuModel = "L4", GpuMemoryGb = 24, BudgetPerMonth = 1234.50m, Rationale = "card scanning SLA", CreatedAt = t0 });

    var release = new Release { Name = "2026.11", Status = ReleaseStatus.Current, Rationale = "v1 meets the SLA", ApprovedBy = "ada", CreatedAt = t0.AddHours(5), ApprovedAt = t0.AddHours(6), ReleaseNotes = "first release" };
    release.Entries.Add(new ReleaseEntry { ModuleId = module.Id, ModelVersionId = v1.Id });
    db.Releases.Add(release);
    await db.SaveChangesAsync();
    db.ReleaseWaivers.Add(new ReleaseWaiver { ReleaseId = release.Id, ModuleId = module.Id, Requirement = "online p95", Reason = "not measured yet", WaivedBy = "ada", CreatedAt = t0.AddHours(6) });
    db.ProductionHistory.Add(new ProductionPeriod { ModuleId = module.Id, ModelVersionId = v1.Id, ReleaseId = release.Id, From = t0.AddHours(6) });
    db.OnlineEvents.Add(new OnlineEvent { EventId = "evt-1", ReleaseId = release.Id, ModuleId = module.Id, Timestamp = t0.AddHours(7), LatencyMs = 31.5, Predicted = "4111", Corrected = true, CorrectedValue = "4117", ReceivedAt = t0.AddHours(7) });
    db.OnlineAggregates.Add(new OnlineAggregate { ModuleId = module.Id, BucketSeconds = OnlineAggregate.HourSeconds, BucketStart = t0.AddHours(7), ReleaseId = release.Id, Count = 1, Corrections = 1, LatencySumMs = 31.5, LatencyHistogram = [0, 1, 2, 3] });

    var ticket = new VocTicket
    {
        Title = "Expiry read as card number",
        Description = "Customer says the app filled the wrong field",
        Channel = "app store",
        CustomerSegment = "retail",
        Severity = TicketSeverity.High,
        Status = TicketStatus.Fixed,
        ModuleId = module.Id,
        ReleaseId = release.Id,
        ModelVersionId = v1.Id,
        InputImageSha256 = samples[2].ImageSha256,
        ExpectedOutput = "12/29",
        ActualOutput = "1229",
        Tags = ["field-mixup", "ios"],
        Assignee = "ada",
        FixedInReleaseId = release.Id,
        RegressionSampleId = samples[2].Id,
        CreatedAt = t0.AddHours(8),
        UpdatedAt = t0.AddHours(9),
    };
    db.VocTickets.AddRange(ticket, new VocTicket { Title = "Slow on old phones", CreatedAt = t0.AddHours(8), UpdatedAt = t0.AddHours(8) });
    await db.SaveChangesAsync();
    db.TicketComments.Add(new TicketComment { TicketId = ticket.Id, Author = "ada", Text = "Reproduced with sample 3", CreatedAt = t0.AddHours(9) });
    db.TicketEvents.AddRange(
        new TicketEvent { TicketId = ticket.Id, Author = "ada", Action = "status", From = "New", To = "Triaged", At = t0.AddHours(8) },
        new TicketEvent { TicketId = ticket.Id, Author = "ada", Action = "status", From = "Triaged", To = "Fixed", At = t0.AddHours(9) });
    await db.SaveChangesAsync();
    AuditActor.Name = null;
}

SqliteConnection.ClearAllPools();
Console.WriteLine($"{path}: {new FileInfo(path).Length} bytes");
return 0;
