using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// A ticket keeps where its complaint was seen: the sample (filed from a gallery or a dataset) and the evaluation run
/// whose answer it is about. Plain indexed references, so existing tickets and their table stay as they are.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261205120000_TicketLinks")]
public sealed class TicketLinks : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<long>(name: "SampleId", table: "VocTickets", type: "INTEGER", nullable: true);
        migrationBuilder.AddColumn<int>(name: "EvaluationRunId", table: "VocTickets", type: "INTEGER", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_VocTickets_SampleId", table: "VocTickets", column: "SampleId");
        migrationBuilder.CreateIndex(name: "IX_VocTickets_EvaluationRunId", table: "VocTickets", column: "EvaluationRunId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_VocTickets_EvaluationRunId", table: "VocTickets");
        migrationBuilder.DropIndex(name: "IX_VocTickets_SampleId", table: "VocTickets");
        migrationBuilder.Sql("ALTER TABLE VocTickets DROP COLUMN EvaluationRunId;");
        migrationBuilder.Sql("ALTER TABLE VocTickets DROP COLUMN SampleId;");
    }
}
