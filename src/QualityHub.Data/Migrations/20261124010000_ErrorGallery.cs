using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Migrations;

/// <summary>
/// The error gallery: each module's error taxonomy (seeded for modules that exist already), error tags, notes and
/// "ground truth looks wrong" flags on samples, and per-prediction loss / edit distance to sort failures by.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261124010000_ErrorGallery")]
public sealed class ErrorGallery : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<double>(name: "Loss", table: "Predictions", type: "REAL", nullable: true);
        migrationBuilder.AddColumn<int>(name: "EditDistance", table: "Predictions", type: "INTEGER", nullable: true);

        migrationBuilder.CreateTable(
            name: "ErrorTags",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                Name = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ErrorTags", x => x.Id);
                table.ForeignKey("FK_ErrorTags_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "GroundTruthFlags",
            columns: table => new
            {
                SampleId = table.Column<long>(type: "INTEGER", nullable: false),
                SuggestedLabel = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                Reason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                FlaggedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_GroundTruthFlags", x => x.SampleId);
                table.ForeignKey("FK_GroundTruthFlags_Samples_SampleId", x => x.SampleId, "Samples", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "SampleNotes",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                SampleId = table.Column<long>(type: "INTEGER", nullable: false),
                Text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SampleNotes", x => x.Id);
                table.ForeignKey("FK_SampleNotes_Samples_SampleId", x => x.SampleId, "Samples", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "SampleErrorTags",
            columns: table => new
            {
                SampleId = table.Column<long>(type: "INTEGER", nullable: false),
                ErrorTagId = table.Column<int>(type: "INTEGER", nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SampleErrorTags", x => new { x.SampleId, x.ErrorTagId });
                table.ForeignKey("FK_SampleErrorTags_ErrorTags_ErrorTagId", x => x.ErrorTagId, "ErrorTags", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_SampleErrorTags_Samples_SampleId", x => x.SampleId, "Samples", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_ErrorTags_ModuleId_Name", "ErrorTags", ["ModuleId", "Name"], unique: true);
        migrationBuilder.CreateIndex("IX_SampleErrorTags_ErrorTagId", "SampleErrorTags", "ErrorTagId");
        migrationBuilder.CreateIndex("IX_SampleNotes_SampleId", "SampleNotes", "SampleId");

        // Modules created before the taxonomy existed start from the same seed list as new ones.
        var seed = string.Join(" UNION ALL ", ErrorTaxonomy.DefaultTags.Select(t => $"SELECT '{t}' AS Name"));
        migrationBuilder.Sql(
            $"INSERT INTO ErrorTags (ModuleId, Name, CreatedAt) SELECT m.Id, t.Name, m.CreatedAt FROM Modules m CROSS JOIN ({seed}) t;");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "SampleErrorTags");
        migrationBuilder.DropTable(name: "SampleNotes");
        migrationBuilder.DropTable(name: "GroundTruthFlags");
        migrationBuilder.DropTable(name: "ErrorTags");
        migrationBuilder.DropColumn(name: "EditDistance", table: "Predictions");
        migrationBuilder.DropColumn(name: "Loss", table: "Predictions");
    }
}
