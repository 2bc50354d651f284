using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QualityHub.Data.Migrations
{
    /// <inheritdoc />
    public partial class OnlineDrift : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "Blur",
                table: "OnlineEvents",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Brightness",
                table: "OnlineEvents",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Confidence",
                table: "OnlineEvents",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Contrast",
                table: "OnlineEvents",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FeaturesJson",
                table: "OnlineEvents",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "InputHeight",
                table: "OnlineEvents",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "InputWidth",
                table: "OnlineEvents",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TopKJson",
                table: "OnlineEvents",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DriftSettingsJson",
                table: "Modules",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DriftAggregates",
                columns: table => new
                {
                    ModuleId = table.Column<int>(type: "INTEGER", nullable: false),
                    HourStart = table.Column<long>(type: "INTEGER", nullable: false),
                    ReleaseId = table.Column<int>(type: "INTEGER", nullable: false),
                    Descriptor = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Events = table.Column<long>(type: "INTEGER", nullable: false),
                    Bins = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftAggregates", x => new { x.ModuleId, x.HourStart, x.ReleaseId, x.Descriptor });
                    table.ForeignKey(
                        name: "FK_DriftAggregates_Modules_ModuleId",
                        column: x => x.ModuleId,
                        principalTable: "Modules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DriftAggregates_Releases_ReleaseId",
                        column: x => x.ReleaseId,
                        principalTable: "Releases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RunProfiles",
                columns: table => new
                {
                    EvaluationRunId = table.Column<int>(type: "INTEGER", nullable: false),
                    Descriptor = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Events = table.Column<long>(type: "INTEGER", nullable: false),
                    Bins = table.Column<string>(type: "TEXT", nullable: false),
                    ComputedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunProfiles", x => new { x.EvaluationRunId, x.Descriptor });
                    table.ForeignKey(
                        name: "FK_RunProfiles_EvaluationRuns_EvaluationRunId",
                        column: x => x.EvaluationRunId,
                        principalTable: "EvaluationRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DriftAggregates_ReleaseId",
                table: "DriftAggregates",
                column: "ReleaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DriftAggregates");

            migrationBuilder.DropTable(
                name: "RunProfiles");

            migrationBuilder.DropColumn(
                name: "Blur",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "Brightness",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "Confidence",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "Contrast",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "FeaturesJson",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "InputHeight",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "InputWidth",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "TopKJson",
                table: "OnlineEvents");

            migrationBuilder.DropColumn(
                name: "DriftSettingsJson",
                table: "Modules");
        }
    }
}
