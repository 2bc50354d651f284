using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// The release decision: notes written at approval, waivers of requirements a release ships without meeting, and the
/// append-only history of which version was in production from when (filled from the releases already approved).
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261201030000_ReleaseDecision")]
public sealed class ReleaseDecision : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "ReleaseNotes", table: "Releases", type: "TEXT", maxLength: 100000, nullable: true);

        migrationBuilder.CreateTable(
            name: "ReleaseWaivers",
            columns: table => new
            {
                Id = table.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ReleaseId = table.Column<int>(type: "INTEGER", nullable: false),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                Requirement = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                Reason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                WaivedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReleaseWaivers", x => x.Id);
                table.ForeignKey("FK_ReleaseWaivers_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ReleaseWaivers_Releases_ReleaseId", x => x.ReleaseId, "Releases", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ProductionHistory",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                ModelVersionId = table.Column<int>(type: "INTEGER", nullable: false),
                ReleaseId = table.Column<int>(type: "INTEGER", nullable: false),
                From = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ProductionHistory", x => x.Id);
                table.ForeignKey("FK_ProductionHistory_ModelVersions_ModelVersionId", x => x.ModelVersionId, "ModelVersions", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_ProductionHistory_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_ProductionHistory_Releases_ReleaseId", x => x.ReleaseId, "Releases", "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateIndex("IX_ReleaseWaivers_ModuleId", "ReleaseWaivers", "ModuleId");
        migrationBuilder.CreateIndex("IX_ReleaseWaivers_ReleaseId_ModuleId_Requirement", "ReleaseWaivers", ["ReleaseId", "ModuleId", "Requirement"], unique: true);
        migrationBuilder.CreateIndex("IX_ProductionHistory_ModelVersionId", "ProductionHistory", "ModelVersionId");
        migrationBuilder.CreateIndex("IX_ProductionHistory_ModuleId_From", "ProductionHistory", ["ModuleId", "From"]);
        migrationBuilder.CreateIndex("IX_ProductionHistory_ReleaseId", "ProductionHistory", "ReleaseId");

        // Releases approved before this history existed went to production when they were approved.
        migrationBuilder.Sql(
            "INSERT INTO ProductionHistory (ModuleId, ModelVersionId, ReleaseId, \"From\") " +
            "SELECT e.ModuleId, e.ModelVersionId, r.Id, r.ApprovedAt FROM Releases r JOIN ReleaseEntries e ON e.ReleaseId = r.Id " +
            "WHERE r.Status IN ('Current', 'Superseded') AND r.ApprovedAt IS NOT NULL ORDER BY r.ApprovedAt, r.Id;");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "ProductionHistory");
        migrationBuilder.DropTable(name: "ReleaseWaivers");
        // EF cannot rebuild a table for a hand-written migration (it has no target model); SQLite drops a plain column itself.
        migrationBuilder.Sql("ALTER TABLE Releases DROP COLUMN ReleaseNotes;");
    }
}
