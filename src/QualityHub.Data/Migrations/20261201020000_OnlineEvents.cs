using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>Online events from production (unique by the sender's event id) and their per-minute and per-hour aggregates.</summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261201020000_OnlineEvents")]
public sealed class OnlineEvents : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "OnlineEvents",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                EventId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                ReleaseId = table.Column<int>(type: "INTEGER", nullable: false),
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                LatencyMs = table.Column<double>(type: "REAL", nullable: false),
                Predicted = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                Corrected = table.Column<bool>(type: "INTEGER", nullable: false),
                CorrectedValue = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OnlineEvents", x => x.Id);
                table.ForeignKey("FK_OnlineEvents_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_OnlineEvents_Releases_ReleaseId", x => x.ReleaseId, "Releases", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "OnlineAggregates",
            columns: table => new
            {
                ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                BucketSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                BucketStart = table.Column<long>(type: "INTEGER", nullable: false),
                ReleaseId = table.Column<int>(type: "INTEGER", nullable: false),
                Count = table.Column<long>(type: "INTEGER", nullable: false),
                Corrections = table.Column<long>(type: "INTEGER", nullable: false),
                LatencySumMs = table.Column<double>(type: "REAL", nullable: false),
                LatencyHistogram = table.Column<byte[]>(type: "BLOB", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OnlineAggregates", x => new { x.ModuleId, x.BucketSeconds, x.BucketStart, x.ReleaseId });
                table.ForeignKey("FK_OnlineAggregates_Modules_ModuleId", x => x.ModuleId, "Modules", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_OnlineAggregates_Releases_ReleaseId", x => x.ReleaseId, "Releases", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_OnlineEvents_EventId", "OnlineEvents", "EventId", unique: true);
        migrationBuilder.CreateIndex("IX_OnlineEvents_ModuleId", "OnlineEvents", "ModuleId");
        migrationBuilder.CreateIndex("IX_OnlineEvents_ReleaseId_ModuleId_Timestamp", "OnlineEvents", ["ReleaseId", "ModuleId", "Timestamp"]);
        migrationBuilder.CreateIndex("IX_OnlineAggregates_ReleaseId", "OnlineAggregates", "ReleaseId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "OnlineAggregates");
        migrationBuilder.DropTable(name: "OnlineEvents");
    }
}
