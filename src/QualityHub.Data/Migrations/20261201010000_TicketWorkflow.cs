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
        migrationBuilder.DropIndex(name: "IX_VocTickets_RegressionSampleId", table: "VocTickets");
        migrationBuilder.DropIndex(name: "IX_VocTickets_FixedInReleaseId", table: "VocTickets");
        migrationBuilder.Sql("ALTER TABLE \"VocTickets\" DROP COLUMN \"RegressionSampleId\";");
        migrationBuilder.Sql("ALTER TABLE \"VocTickets\" DROP COLUMN \"FixedInReleaseId\";");
    }
}
