using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// Predictions lose their foreign key to Samples and, with it, the index on SampleId (decision 009). Every run on a
/// dataset added an entry per sample at that sample's place in the index, so a run's inserts dirtied a page per few
/// samples: on a database with a few hundred runs of one test set, writing a 10,000-prediction run meant ~40 MB of
/// WAL and checkpoints, and evaluation throughput fell by a fifth. Samples are never deleted, and the reads by sample
/// go through the (run, sample) index. SQLite cannot drop a constraint in place, so the table is rebuilt.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261201050000_PredictionsWithoutSampleIndex")]
public sealed partial class PredictionsWithoutSampleIndex : Migration
{
    private const string Columns = "Id, EvaluationRunId, SampleId, Output, Confidence, TopKJson, QueueMs, PreprocessMs, ComputeMs, PostprocessMs, Error, BatchSize, Loss, EditDistance";

    protected override void Up(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, withSampleKey: false);

    protected override void Down(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, withSampleKey: true);

    private static void Rebuild(MigrationBuilder migrationBuilder, bool withSampleKey)
    {
        var sampleKey = withSampleKey
            ? ",\n    CONSTRAINT \"FK_Predictions_Samples_SampleId\" FOREIGN KEY (\"SampleId\") REFERENCES \"Samples\" (\"Id\") ON DELETE CASCADE"
            : "";
        migrationBuilder.Sql($"""
            CREATE TABLE "ef_temp_Predictions" (
                "Id" INTEGER NOT NULL CONSTRAINT "PK_Predictions" PRIMARY KEY AUTOINCREMENT,
                "EvaluationRunId" INTEGER NOT NULL,
                "SampleId" INTEGER NOT NULL,
                "Output" TEXT NULL,
                "Confidence" REAL NULL,
                "TopKJson" TEXT NULL,
                "QueueMs" REAL NOT NULL,
                "PreprocessMs" REAL NOT NULL,
                "ComputeMs" REAL NOT NULL,
                "PostprocessMs" REAL NOT NULL,
                "Error" TEXT NULL,
                "BatchSize" INTEGER NOT NULL DEFAULT 0,
                "Loss" REAL NULL,
                "EditDistance" INTEGER NULL,
                CONSTRAINT "FK_Predictions_EvaluationRuns_EvaluationRunId" FOREIGN KEY ("EvaluationRunId") REFERENCES "EvaluationRuns" ("Id") ON DELETE CASCADE{sampleKey}
            );
            """);
        migrationBuilder.Sql($"INSERT INTO \"ef_temp_Predictions\" ({Columns}) SELECT {Columns} FROM \"Predictions\";");
        migrationBuilder.Sql("DROP TABLE \"Predictions\";");
        migrationBuilder.Sql("ALTER TABLE \"ef_temp_Predictions\" RENAME TO \"Predictions\";");
        migrationBuilder.CreateIndex("IX_Predictions_EvaluationRunId_SampleId", "Predictions", ["EvaluationRunId", "SampleId"], unique: true);
        if (withSampleKey)
        {
            migrationBuilder.CreateIndex("IX_Predictions_SampleId", "Predictions", "SampleId");
        }
    }
}
