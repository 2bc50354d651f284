using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// The first schema: modules, model versions, datasets and samples, evaluation runs and predictions,
/// releases, VOC tickets and requirements. Written by hand (EF's Design package does not restore here);
/// MigrationsMatchModelTests proves the result equals what the EF model describes.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261122040000_InitialSchema")]
public sealed class InitialSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Modules",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                TaskType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                InputDescription = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                OutputDescription = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                Description = table.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Modules", x => x.Id));

        migrationBuilder.CreateTable(
            name: "Releases",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                Rationale = table.Column<string>(type: "TEXT", nullable: false),
                ApprovedBy = table.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                ApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Releases", x => x.Id));

        migrationBuilder.CreateTable(
            name: "Datasets",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: true),
                TaskType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                Split = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                Source = table.Column<string>(type: "TEXT", nullable: false),
                LicenceId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                CommercialUseAllowed = table.Column<bool>(type: "INTEGER", nullable: false),
                Attribution = table.Column<string>(type: "TEXT", nullable: false),
                Labels = table.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Datasets", x => x.Id);
                table.ForeignKey("FK_Datasets_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.SetNull);
            });

        migrationBuilder.CreateTable(
            name: "ModelVersions",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                Producer = table.Column<string>(type: "TEXT", nullable: true),
                Opset = table.Column<long>(type: "INTEGER", nullable: true),
                ParameterCount = table.Column<long>(type: "INTEGER", nullable: true),
                ModelCardJson = table.Column<string>(type: "TEXT", nullable: true),
                Notes = table.Column<string>(type: "TEXT", nullable: false),
                TrainedOnDatasetId = table.Column<int>(type: "INTEGER", nullable: true),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ModelVersions", x => x.Id);
                table.ForeignKey("FK_ModelVersions_Datasets_TrainedOnDatasetId", x => x.TrainedOnDatasetId, "Datasets", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_ModelVersions_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "Requirements",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                Version = table.Column<int>(type: "INTEGER", nullable: false),
                OfflineP95Ms = table.Column<double>(type: "REAL", nullable: true),
                OnlineP95Ms = table.Column<double>(type: "REAL", nullable: true),
                AccuracyMetric = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                AccuracyThreshold = table.Column<double>(type: "REAL", nullable: true),
                AccuracyDatasetId = table.Column<int>(type: "INTEGER", nullable: true),
                TargetQps = table.Column<double>(type: "REAL", nullable: true),
                ServingTarget = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                GpuModel = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                GpuMemoryGb = table.Column<double>(type: "REAL", nullable: true),
                Cpu = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                BudgetPerMonth = table.Column<decimal>(type: "TEXT", nullable: true),
                Rationale = table.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Requirements", x => x.Id);
                table.ForeignKey("FK_Requirements_Datasets_AccuracyDatasetId", x => x.AccuracyDatasetId, "Datasets", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_Requirements_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "Samples",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                DatasetId = table.Column<int>(type: "INTEGER", nullable: false),
                Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                ImageSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Width = table.Column<int>(type: "INTEGER", nullable: false),
                Height = table.Column<int>(type: "INTEGER", nullable: false),
                GroundTruth = table.Column<string>(type: "TEXT", nullable: false),
                Tags = table.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Samples", x => x.Id);
                table.ForeignKey("FK_Samples_Datasets_DatasetId", x => x.DatasetId, "Datasets", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "EvaluationRuns",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ModelVersionId = table.Column<int>(type: "INTEGER", nullable: false),
                DatasetId = table.Column<int>(type: "INTEGER", nullable: false),
                Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                TotalSamples = table.Column<int>(type: "INTEGER", nullable: false),
                CompletedSamples = table.Column<int>(type: "INTEGER", nullable: false),
                Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                Error = table.Column<string>(type: "TEXT", nullable: true),
                MetricsJson = table.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_EvaluationRuns", x => x.Id);
                table.ForeignKey("FK_EvaluationRuns_Datasets_DatasetId", x => x.DatasetId, "Datasets", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_EvaluationRuns_ModelVersions_ModelVersionId", x => x.ModelVersionId, "ModelVersions", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ReleaseEntries",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ReleaseId = table.Column<int>(type: "INTEGER", nullable: false),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                ModelVersionId = table.Column<int>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReleaseEntries", x => x.Id);
                table.ForeignKey("FK_ReleaseEntries_ModelVersions_ModelVersionId", x => x.ModelVersionId, "ModelVersions", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_ReleaseEntries_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_ReleaseEntries_Releases_ReleaseId", x => x.ReleaseId, "Releases", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "VocTickets",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                Description = table.Column<string>(type: "TEXT", nullable: false),
                Channel = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                CustomerSegment = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: true),
                ReleaseId = table.Column<int>(type: "INTEGER", nullable: true),
                ModelVersionId = table.Column<int>(type: "INTEGER", nullable: true),
                InputImageSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                ExpectedOutput = table.Column<string>(type: "TEXT", nullable: true),
                ActualOutput = table.Column<string>(type: "TEXT", nullable: true),
                Tags = table.Column<string>(type: "TEXT", nullable: false),
                Assignee = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_VocTickets", x => x.Id);
                table.ForeignKey("FK_VocTickets_ModelVersions_ModelVersionId", x => x.ModelVersionId, "ModelVersions", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_VocTickets_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_VocTickets_Releases_ReleaseId", x => x.ReleaseId, "Releases", "Id", onDelete: ReferentialAction.SetNull);
            });

        migrationBuilder.CreateTable(
            name: "Predictions",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                EvaluationRunId = table.Column<int>(type: "INTEGER", nullable: false),
                SampleId = table.Column<long>(type: "INTEGER", nullable: false),
                Output = table.Column<string>(type: "TEXT", nullable: true),
                Confidence = table.Column<double>(type: "REAL", nullable: true),
                TopKJson = table.Column<string>(type: "TEXT", nullable: true),
                QueueMs = table.Column<double>(type: "REAL", nullable: false),
                PreprocessMs = table.Column<double>(type: "REAL", nullable: false),
                ComputeMs = table.Column<double>(type: "REAL", nullable: false),
                PostprocessMs = table.Column<double>(type: "REAL", nullable: false),
                Error = table.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Predictions", x => x.Id);
                table.ForeignKey("FK_Predictions_EvaluationRuns_EvaluationRunId", x => x.EvaluationRunId, "EvaluationRuns", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Predictions_Samples_SampleId", x => x.SampleId, "Samples", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Datasets_ModuleId", "Datasets", "ModuleId");
        migrationBuilder.CreateIndex("IX_Datasets_Name", "Datasets", "Name", unique: true);
        migrationBuilder.CreateIndex("IX_EvaluationRuns_DatasetId", "EvaluationRuns", "DatasetId");
        migrationBuilder.CreateIndex("IX_EvaluationRuns_ModelVersionId", "EvaluationRuns", "ModelVersionId");
        migrationBuilder.CreateIndex("IX_EvaluationRuns_Status", "EvaluationRuns", "Status");
        migrationBuilder.CreateIndex("IX_ModelVersions_ModuleId_Name", "ModelVersions", ["ModuleId", "Name"], unique: true);
        migrationBuilder.CreateIndex("IX_ModelVersions_Sha256", "ModelVersions", "Sha256");
        migrationBuilder.CreateIndex("IX_ModelVersions_TrainedOnDatasetId", "ModelVersions", "TrainedOnDatasetId");
        migrationBuilder.CreateIndex("IX_Modules_Name", "Modules", "Name", unique: true);
        migrationBuilder.CreateIndex("IX_Predictions_EvaluationRunId_SampleId", "Predictions", ["EvaluationRunId", "SampleId"], unique: true);
        migrationBuilder.CreateIndex("IX_Predictions_SampleId", "Predictions", "SampleId");
        migrationBuilder.CreateIndex("IX_ReleaseEntries_ModelVersionId", "ReleaseEntries", "ModelVersionId");
        migrationBuilder.CreateIndex("IX_ReleaseEntries_ModuleId", "ReleaseEntries", "ModuleId");
        migrationBuilder.CreateIndex("IX_ReleaseEntries_ReleaseId_ModuleId", "ReleaseEntries", ["ReleaseId", "ModuleId"], unique: true);
        migrationBuilder.CreateIndex("IX_Releases_Name", "Releases", "Name", unique: true);
        migrationBuilder.CreateIndex("IX_Requirements_AccuracyDatasetId", "Requirements", "AccuracyDatasetId");
        migrationBuilder.CreateIndex("IX_Requirements_ModuleId_Version", "Requirements", ["ModuleId", "Version"], unique: true);
        migrationBuilder.CreateIndex("IX_Samples_DatasetId_Ordinal", "Samples", ["DatasetId", "Ordinal"], unique: true);
        migrationBuilder.CreateIndex("IX_Samples_ImageSha256", "Samples", "ImageSha256");
        migrationBuilder.CreateIndex("IX_VocTickets_InputImageSha256", "VocTickets", "InputImageSha256");
        migrationBuilder.CreateIndex("IX_VocTickets_ModelVersionId", "VocTickets", "ModelVersionId");
        migrationBuilder.CreateIndex("IX_VocTickets_ModuleId", "VocTickets", "ModuleId");
        migrationBuilder.CreateIndex("IX_VocTickets_ReleaseId", "VocTickets", "ReleaseId");
        migrationBuilder.CreateIndex("IX_VocTickets_Status", "VocTickets", "Status");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "Predictions", "VocTickets", "ReleaseEntries", "EvaluationRuns", "Samples", "Requirements", "ModelVersions", "Datasets", "Releases", "Modules" })
        {
            migrationBuilder.DropTable(table);
        }
    }
}
