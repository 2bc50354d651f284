using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// The ticket workflow: the release a ticket was fixed in, the regression sample its input became, comments, and the
/// append-only history of every change.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261201010000_TicketWorkflow")]
public sealed class TicketWorkflow : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // SQLite adds a column with a REFERENCES clause in place when its default is NULL; MigrationBuilder.AddForeignKey
        // would need a table rebuild that hand-written migrations (no model snapshot) cannot describe.
        migrationBuilder.Sql("ALTER TABLE \"VocTickets\" ADD COLUMN \"FixedInReleaseId\" INTEGER NULL REFERENCES \"Releases\" (\"Id\") ON DELETE SET NULL;");
        migrationBuilder.Sql("ALTER TABLE \"VocTickets\" ADD COLUMN \"RegressionSampleId\" INTEGER NULL REFERENCES \"Samples\" (\"Id\") ON DELETE SET NULL;");
        migrationBuilder.CreateIndex("IX_VocTickets_FixedInReleaseId", "VocTickets", "FixedInReleaseId");
        migrationBuilder.CreateIndex("IX_VocTickets_RegressionSampleId", "VocTickets", "RegressionSampleId");

        migrationBuilder.CreateTable(
            name: "TicketComments",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                TicketId = table.Column<int>(type: "INTEGER", nullable: false),
                Author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketComments", x => x.Id);
                table.ForeignKey("FK_TicketComments_VocTickets_TicketId", x => x.TicketId, "VocTickets", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "TicketEvents",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                TicketId = table.Column<int>(type: "INTEGER", nullable: false),
                Author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Action = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                From = table.Column<string>(type: "TEXT", nullable: true),
                To = table.Column<string>(type: "TEXT", nullable: true),
                At = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketEvents", x => x.Id);
                table.ForeignKey("FK_TicketEvents_VocTickets_TicketId", x => x.TicketId, "VocTickets", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_TicketComments_TicketId", "TicketComments", "TicketId");
        migrationBuilder.CreateIndex("IX_TicketEvents_TicketId", "TicketEvents", "TicketId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "TicketEvents");
        migrationBuilder.DropTable(name: "TicketComments");

        // SQLite cannot drop a column that carries a REFERENCES clause, so the table is rebuilt as InitialSchema made it.
        migrationBuilder.RenameTable(name: "VocTickets", newName: "VocTickets_TicketWorkflow");
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
        const string columns = "Id, Title, Description, Channel, CustomerSegment, Severity, Status, ModuleId, ReleaseId, ModelVersionId, InputImageSha256, ExpectedOutput, ActualOutput, Tags, Assignee, CreatedAt, UpdatedAt";
        migrationBuilder.Sql($"INSERT INTO VocTickets ({columns}) SELECT {columns} FROM VocTickets_TicketWorkflow;");
        migrationBuilder.DropTable(name: "VocTickets_TicketWorkflow");
        migrationBuilder.CreateIndex("IX_VocTickets_InputImageSha256", "VocTickets", "InputImageSha256");
        migrationBuilder.CreateIndex("IX_VocTickets_ModelVersionId", "VocTickets", "ModelVersionId");
        migrationBuilder.CreateIndex("IX_VocTickets_ModuleId", "VocTickets", "ModuleId");
        migrationBuilder.CreateIndex("IX_VocTickets_ReleaseId", "VocTickets", "ReleaseId");
        migrationBuilder.CreateIndex("IX_VocTickets_Status", "VocTickets", "Status");
    }
}
