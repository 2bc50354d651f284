using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// Who did it comes from the sign-in, never from a typed field: a ticket keeps the account or API key that filed it
/// (and, apart from it, the customer's own reference a support system gives), and tags, notes and ground-truth flags
/// on samples keep theirs. A ticket filed before this version takes its reporter from its "created" history entry;
/// tags, notes and flags written before it have no recorded author and stay blank (shown as unknown).
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261205110000_SignedInAuthors")]
public sealed class SignedInAuthors : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "CustomerReference", table: "VocTickets", type: "TEXT", maxLength: 200, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ReportedBy", table: "VocTickets", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
        migrationBuilder.AddColumn<string>(name: "Author", table: "SampleNotes", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
        migrationBuilder.AddColumn<string>(name: "TaggedBy", table: "SampleErrorTags", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
        migrationBuilder.AddColumn<string>(name: "FlaggedBy", table: "GroundTruthFlags", type: "TEXT", maxLength: 200, nullable: false, defaultValue: "");
        migrationBuilder.Sql("""
            UPDATE "VocTickets" SET "ReportedBy" = COALESCE(
                (SELECT e."Author" FROM "TicketEvents" e WHERE e."TicketId" = "VocTickets"."Id" AND e."Action" = 'created' ORDER BY e."Id" LIMIT 1), '');
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        // SQLite (3.35 and later) drops a column in place; EF's own DropColumn would need a table rebuild.
        migrationBuilder.Sql("ALTER TABLE VocTickets DROP COLUMN CustomerReference;");
        migrationBuilder.Sql("ALTER TABLE VocTickets DROP COLUMN ReportedBy;");
        migrationBuilder.Sql("ALTER TABLE SampleNotes DROP COLUMN Author;");
        migrationBuilder.Sql("ALTER TABLE SampleErrorTags DROP COLUMN TaggedBy;");
        migrationBuilder.Sql("ALTER TABLE GroundTruthFlags DROP COLUMN FlaggedBy;");
    }
}
