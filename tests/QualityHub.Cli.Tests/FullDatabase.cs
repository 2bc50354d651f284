using System.Collections;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using QualityHub.Core.Domain;
using QualityHub.Core.Labeling;
using QualityHub.Data;
using QualityHub.Data.Accounts;

namespace QualityHub.Cli.Tests;

/// <summary>
/// A QualityHub database with rows in every table, written through the app's DbContext with values that are easy to
/// lose on the way to another engine: keys with gaps, instants to the tick in several offsets, text beyond ASCII,
/// nulls, lists, bytes, decimals, enums. And a reader that gives any table's rows by key, from the EF model.
/// </summary>
internal static class FullDatabase
{
    /// <summary>Predictions written, enough for the copy to stream many buffers.</summary>
    public const int Predictions = 3000;

    public const string Unicode = "Ünïcödé 漢字 🙂 \"quoted\" back\\slash\ttab\nnew line";

    private static readonly DateTimeOffset Then = new DateTimeOffset(2026, 12, 5, 13, 45, 7, TimeSpan.FromHours(9)).AddTicks(1_234_567);

    public static QualityHubDbContext OpenSqlite(string dataDirectory)
    {
        var options = new DbContextOptionsBuilder<QualityHubDbContext>();
        DataServiceCollectionExtensions.UseConfiguredDatabase(options, new StorageOptions { DataDirectory = dataDirectory });
        return new QualityHubDbContext(options.Options);
    }

    public static QualityHubDbContext OpenPostgres(string connectionString)
    {
        var options = new DbContextOptionsBuilder<QualityHubDbContext>();
        DataServiceCollectionExtensions.UseConfiguredDatabase(options, new StorageOptions { Provider = "postgres", ConnectionString = connectionString });
        return new QualityHubDbContext(options.Options);
    }

    /// <summary>Fills a migrated, empty database: at least one row in every table.</summary>
    public static async Task FillAsync(QualityHubDbContext db)
    {
        var pets = new Module
        {
            Id = 7,
            Name = "pets",
            TaskType = TaskType.ImageClassification,
            InputDescription = "224x224 RGB",
            OutputDescription = "cat, dog",
            Description = Unicode,
            CreatedAt = Then,
            TextComparison = Core.Metrics.TextComparison.Exact,
            DriftSettingsJson = "{\"psiWatch\":0.15}",
            DataRulesJson = "{\"labels\":[\"cat\",\"dog, big\"],\"alertShare\":0.05}",
        };
        var lines = new Module
        {
            Id = 42,
            Name = "card-lines",
            TaskType = TaskType.TextRecognition,
            InputDescription = "a line",
            OutputDescription = "its text",
            CreatedAt = DateTimeOffset.MinValue,
            TextComparison = Core.Metrics.TextComparison.IgnoreCase | Core.Metrics.TextComparison.IgnoreSpaces,
        };
        db.Modules.AddRange(pets, lines);
        var dataset = new Dataset
        {
            Id = 3,
            Name = "pets-test",
            ModuleId = 7,
            TaskType = TaskType.ImageClassification,
            Split = DatasetSplit.Test,
            Source = "https://example.org/pets",
            LicenceId = "CC-BY-4.0",
            CommercialUseAllowed = true,
            Attribution = Unicode,
            Labels = ["cat", "dog, big", "\"bird\"", "漢字"],
            CreatedAt = Then.AddDays(1),
            ValidationJson = "{\"samples\":2,\"rules\":[]}",
        };
        var empty = new Dataset { Id = 11, Name = "no-module", LicenceId = "MIT", Labels = [], CreatedAt = Then.ToOffset(TimeSpan.FromHours(-5)) };
        db.Datasets.AddRange(dataset, empty);
        db.ModelVersions.AddRange(
            new ModelVersion
            {
                Id = 5,
                ModuleId = 7,
                Name = "v1",
                Status = ModelStatus.Released,
                Sha256 = new string('a', 64),
                FileName = "v1.onnx",
                SizeBytes = 5_000_000_000,
                Producer = "pytorch",
                Opset = 17,
                ParameterCount = 11_000_000,
                ModelCardJson = "{\"a\":1}",
                Notes = Unicode,
                TrainedOnDatasetId = 3,
                CreatedAt = Then,
            },
            new ModelVersion { Id = 9, ModuleId = 42, Name = "v2", Sha256 = new string('b', 64), FileName = "v2.onnx", CreatedAt = Then.AddTicks(1) });
        db.PipelineStages.AddRange(
            new PipelineStage { Id = 3, PipelineVersionId = 9, Position = 1, Kind = PipelineStageKind.TextDetection, ModelVersionId = 5 },
            new PipelineStage { Id = 4, PipelineVersionId = 9, Position = 2, Kind = PipelineStageKind.Rectify });
        var samples = Enumerable.Range(0, 20)
            .Select(i => new Sample
            {
                Id = 100 + (i * 3),
                DatasetId = 3,
                Ordinal = i,
                ImageSha256 = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture),
                Width = 224,
                Height = 224,
                GroundTruth = i % 2 == 0 ? "cat" : "dog",
                Tags = i % 3 == 0 ? ["night", "blurry"] : [],
            })
            .ToList();
        db.Samples.AddRange(samples);
        db.EvaluationRuns.AddRange(
            new EvaluationRun
            {
                Id = 4,
                ModelVersionId = 5,
                DatasetId = 3,
                Status = RunStatus.Completed,
                TotalSamples = 20,
                CompletedSamples = 20,
                Provider = "cpu",
                RanOn = "worker unix:/run/qualityhub/w.sock (CPU: test, 2 cores); worker http://10.0.0.5:7070 (GPU: ü)",
                MetricsJson = "{\"accuracy\":0.85}",
                CreatedAt = Then,
                StartedAt = Then.AddSeconds(1),
                CompletedAt = Then.AddMinutes(2),
            },
            new EvaluationRun
            {
                Id = 8,
                ModelVersionId = 9,
                DatasetId = 11,
                Status = RunStatus.Running,
                Error = null,
                CreatedAt = Then,
                LeaseOwner = "host-a/123",
                LeaseExpiresAt = Then.AddSeconds(30),
            });
        db.Predictions.AddRange(Enumerable.Range(0, Predictions).Select(i => new Prediction
        {
            Id = 1000 + i,
            EvaluationRunId = 4,
            SampleId = 100 + i,
            Output = i % 10 == 0 ? null : (i % 2 == 0 ? "cat" : "dog"),
            Confidence = i % 10 == 0 ? null : 1.0 / (i + 3),
            TopKJson = "[{\"label\":\"cat\",\"p\":0.1}]",
            QueueMs = i * 0.1,
            PreprocessMs = 1e-300,
            ComputeMs = double.MaxValue,
            PostprocessMs = 0.1 + 0.2,
            BatchSize = 32,
            Error = i % 10 == 0 ? "model failed: " + Unicode : null,
            Loss = i % 7 == 0 ? null : -Math.Log(0.5),
            EditDistance = i % 4 == 0 ? null : i,
            DetailJson = i % 3 == 0 ? null : "{\"regions\":[],\"note\":\"" + Unicode + "\"}",
        }));
        var release = new Release
        {
            Id = 2,
            Name = "2026.12",
            Status = ReleaseStatus.Current,
            Rationale = Unicode,
            ApprovedBy = "anna",
            CreatedAt = Then,
            ApprovedAt = Then.AddHours(1),
            ReleaseNotes = new string('x', 50_000),
        };
        db.Releases.AddRange(release, new Release { Id = 6, Name = "draft", CreatedAt = Then });
        db.ReleaseEntries.Add(new ReleaseEntry { Id = 12, ReleaseId = 2, ModuleId = 7, ModelVersionId = 5 });
        db.ReleaseWaivers.Add(new ReleaseWaiver { Id = 3, ReleaseId = 2, ModuleId = 7, Requirement = "accuracy", Reason = Unicode, WaivedBy = "anna", CreatedAt = Then });
        db.ProductionHistory.Add(new ProductionPeriod { Id = 77, ModuleId = 7, ModelVersionId = 5, ReleaseId = 2, From = Then });
        db.VocTickets.Add(new VocTicket
        {
            Id = 31,
            Title = "Dog seen as cat",
            Description = Unicode,
            Channel = "email",
            CustomerSegment = "pro",
            Severity = TicketSeverity.Blocker,
            Status = TicketStatus.Reproduced,
            ModuleId = 7,
            ReleaseId = 2,
            ModelVersionId = 5,
            InputImageSha256 = new string('c', 64),
            ExpectedOutput = "dog",
            ActualOutput = "cat",
            Tags = ["regression", "漢字"],
            Assignee = "bob",
            ReportedBy = "carla",
            CustomerReference = "CR-1",
            SampleId = 103,
            EvaluationRunId = 4,
            FixedInReleaseId = 6,
            RegressionSampleId = 106,
            CreatedAt = Then,
            UpdatedAt = Then.AddDays(2),
        });
        db.TicketComments.Add(new TicketComment { Id = 14, TicketId = 31, Author = "bob", Text = Unicode, CreatedAt = Then });
        db.TicketEvents.Add(new TicketEvent { Id = 15, TicketId = 31, Author = "bob", Action = "status", From = "New", To = "Reproduced", At = Then });
        db.Requirements.Add(new Requirement
        {
            Id = 9,
            ModuleId = 7,
            Version = 2,
            OfflineP95Ms = 12.5,
            OnlineP95Ms = null,
            AccuracyMetric = "accuracy",
            AccuracyThreshold = 0.9,
            AccuracyDatasetId = 3,
            TargetQps = 1e6,
            ServingTarget = ServingTarget.CloudGpu,
            GpuModel = "L4",
            GpuMemoryGb = 24,
            Cpu = "8 vCPU",
            BudgetPerMonth = 12_345.6789m,
            Rationale = Unicode,
            CreatedAt = Then,
        });
        var tag = new ErrorTag { Id = 21, ModuleId = 7, Name = "blurry", CreatedAt = Then };
        db.ErrorTags.Add(tag);
        db.SampleErrorTags.Add(new SampleErrorTag { SampleId = 103, ErrorTagId = 21, TaggedBy = "anna", CreatedAt = Then });
        db.SampleNotes.Add(new SampleNote { Id = 17, SampleId = 103, Text = Unicode, Author = "anna", CreatedAt = Then });
        db.GroundTruthFlags.Add(new GroundTruthFlag { SampleId = 106, SuggestedLabel = "dog", Reason = Unicode, FlaggedBy = "anna", FlaggedAt = Then });
        db.OnlineEvents.AddRange(Enumerable.Range(0, 500).Select(i => new OnlineEvent
        {
            Id = 5000 + (i * 2),
            EventId = $"evt-{i:D5}",
            ReleaseId = 2,
            ModuleId = 7,
            Timestamp = Then.AddMilliseconds(i),
            LatencyMs = 3.25 + i,
            Predicted = i % 5 == 0 ? null : "cat",
            Corrected = i % 3 == 0,
            CorrectedValue = i % 3 == 0 ? "dog" : null,
            ReceivedAt = Then.AddSeconds(i).AddTicks(7),
            Confidence = i % 2 == 0 ? 0.875 : null,
            TopKJson = i % 2 == 0 ? "[{\"label\":\"cat\",\"score\":0.875}]" : null,
            InputWidth = i % 4 == 0 ? 640 : null,
            InputHeight = i % 4 == 0 ? 480 : null,
            Brightness = i % 4 == 0 ? 0.4375 : null,
            Contrast = i % 4 == 0 ? 0.125 : null,
            Blur = i % 4 == 0 ? 0.0123 : null,
            FeaturesJson = i % 7 == 0 ? "[1.5,-2,1e-9]" : null,
        }));
        db.DriftAggregates.Add(new DriftAggregate { ModuleId = 7, HourStart = Then, ReleaseId = 2, Descriptor = "brightness", Events = 125, Bins = "{\"43\":[125,42]}" });
        db.RetrainingRequests.Add(new RetrainingRequest
        {
            Id = 3,
            ModuleId = 7,
            ReleaseId = 2,
            Trigger = RetrainingTrigger.Drift,
            Reason = Unicode,
            WindowFrom = Then,
            WindowTo = Then.AddDays(1),
            WindowEvents = 500,
            EvidenceJson = "{\"alerts\":[]}",
            Status = RetrainingStatus.InProgress,
            RequestedBy = "anna",
            CreatedAt = Then,
            UpdatedAt = Then.AddHours(2),
        });
        db.Datasets.Add(new Dataset
        {
            Id = 12,
            Name = "pets-test v2",
            ModuleId = 7,
            TaskType = TaskType.ImageClassification,
            Split = DatasetSplit.Test,
            LicenceId = "CC-BY-4.0",
            Labels = ["cat", "dog, big"],
            CreatedAt = Then.AddDays(3),
            Version = 2,
            PreviousVersionId = 3,
        });
        db.LabelingJobs.Add(new LabelingJob
        {
            Id = 9,
            Name = Unicode,
            ModuleId = 7,
            DatasetId = 3,
            Purpose = Unicode,
            Source = "ground-truth flags of dataset 3",
            Labels = ["cat", "dog, big"],
            Quantity = 2,
            UnitPrice = 0.0125m,
            Currency = "EUR",
            Budget = 1234.5m,
            Deadline = Then.AddDays(14),
            VendorName = "Acme Labels",
            VendorContact = "pm@acme.example",
            Status = LabelingJobStatus.Merged,
            CreatedBy = "anna",
            CreatedAt = Then,
            SentAt = Then.AddDays(1),
            DeliveredAt = Then.AddDays(2),
            MergedDatasetId = 12,
            Items = [new LabelingJobItem { Id = 41, SampleId = 103 }, new LabelingJobItem { Id = 42, SampleId = 106, IsGold = true, GoldLabel = "dog, big" }],
        });
        db.LabelingGuideVersions.Add(new LabelingGuideVersion { Id = 5, JobId = 9, Version = 1, Markdown = Unicode, ExampleSampleIds = [103, 106], CreatedBy = "anna", CreatedAt = Then });
        db.LabelingQuestions.Add(new LabelingQuestion { Id = 6, JobId = 9, SampleId = 103, Text = Unicode, AskedBy = "vendor", AskedAt = Then, Answer = "a cat", AnsweredBy = "anna", AnsweredAt = Then.AddHours(1), AddToGuide = true, FoldedIntoGuideVersion = 1 });
        db.LabelingDeliveries.Add(new LabelingDelivery
        {
            Id = 7,
            JobId = 9,
            FileName = "labels.csv",
            ReceivedBy = "anna",
            ReceivedAt = Then.AddDays(2),
            Accepted = true,
            RowCount = 2,
            GoldAccuracy = 1,
            GoldItems = 1,
            Kappa = 0.5,
            CompareItems = 1,
            MergedDatasetId = 12,
            Rows = [new LabelingDeliveryRow { Id = 8, ItemId = 41, SampleId = 103, Label = "dog, big", CurrentLabel = "cat", Decision = ReviewDecision.AcceptVendor, DecidedBy = "anna", DecidedAt = Then.AddDays(3) }],
        });
        db.RunProfiles.Add(new RunProfile { EvaluationRunId = 4, Descriptor = "label", Events = 3, Bins = "{\"cat\":[2,1],\"dog\":[1,0]}", ComputedAt = Then });
        db.OnlineAggregates.Add(new OnlineAggregate
        {
            ModuleId = 7,
            BucketSeconds = OnlineAggregate.MinuteSeconds,
            BucketStart = Then,
            ReleaseId = 2,
            Count = 500,
            Corrections = 167,
            LatencySumMs = 126_375.5,
            LatencyHistogram = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
        });
        db.ApiKeys.Add(new ApiKey { Id = 4, Name = "ci", Role = QualityHubRoles.Modeler, Prefix = "qh_abcde", Hash = new string('d', 64), CreatedBy = "anna", CreatedAt = Then, RevokedAt = Then.AddDays(30) });
        db.AuditEntries.Add(new AuditEntry { Id = 123, At = Then, Actor = "anna", Action = "release.approve", Target = "Release 2", Details = Unicode });
        db.DataProtectionKeys.Add(new DataProtectionKey { Id = 2, FriendlyName = "key-1", Xml = "<key id=\"1\"><creationDate>2026-12-05</creationDate></key>" });

        var user = new IdentityUser
        {
            Id = "user-1",
            UserName = "anna",
            NormalizedUserName = "ANNA",
            Email = "anna@example.org",
            NormalizedEmail = "ANNA@EXAMPLE.ORG",
            EmailConfirmed = true,
            PasswordHash = "AQAAAAIAAYagAAAAE...",
            SecurityStamp = "S",
            ConcurrencyStamp = "C",
            LockoutEnabled = true,
            LockoutEnd = DateTimeOffset.MaxValue,
            AccessFailedCount = 2,
        };
        db.Users.Add(user);
        db.Roles.Add(new IdentityRole { Id = "role-1", Name = QualityHubRoles.Admin, NormalizedName = "ADMIN", ConcurrencyStamp = "R" });
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = "user-1", RoleId = "role-1" });
        db.UserClaims.Add(new IdentityUserClaim<string> { Id = 8, UserId = "user-1", ClaimType = "display", ClaimValue = Unicode });
        db.RoleClaims.Add(new IdentityRoleClaim<string> { Id = 6, RoleId = "role-1", ClaimType = "scope", ClaimValue = "all" });
        db.UserLogins.Add(new IdentityUserLogin<string> { LoginProvider = "oidc", ProviderKey = "sub-1", ProviderDisplayName = "Company", UserId = "user-1" });
        db.UserTokens.Add(new IdentityUserToken<string> { UserId = "user-1", LoginProvider = "oidc", Name = "refresh", Value = "t0k3n" });

        await db.SaveChangesAsync();
    }

    /// <summary>Every row of a table as its properties' values (shadow ones too), ordered by key.</summary>
    public static async Task<List<object?[]>> RowsAsync(QualityHubDbContext db, IEntityType type)
    {
        var properties = type.GetProperties().ToList();
        var key = type.FindPrimaryKey()!.Properties.Select(p => properties.IndexOf(p)).ToList();
        var entities = await Set(db, type).ToListAsync();
        return entities
            .Select(e => properties.Select(p => db.Entry(e).Property(p.Name).CurrentValue).ToArray())
            .OrderBy(row => row, Comparer<object?[]>.Create((a, b) => key.Select(i => CompareKeys(a[i], b[i])).FirstOrDefault(c => c != 0)))
            .ToList();
    }

    public static Task<int> CountAsync(QualityHubDbContext db, IEntityType type) => Set(db, type).CountAsync();

    /// <summary>Equal as stored: lists and byte arrays item by item, everything else by Equals.</summary>
    public static bool SameValue(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (IEnumerable x, IEnumerable y) => x.Cast<object?>().SequenceEqual(y.Cast<object?>()),
        (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks == y.UtcTicks && x.Offset == y.Offset,
        _ => Equals(a, b),
    };

    /// <summary>A value for a failure message: lists and bytes item by item.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        string text => $"'{text}'",
        IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Select(Show))}]",
        DateTimeOffset instant => $"{instant:O} ({instant.UtcTicks} UTC ticks)",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static IQueryable<object> Set(QualityHubDbContext db, IEntityType type) =>
        (IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(type.ClrType).Invoke(db, null)!;

    private static int CompareKeys(object? a, object? b) => a is string x && b is string y ? string.CompareOrdinal(x, y) : Comparer<object?>.Default.Compare(a, b);
}
