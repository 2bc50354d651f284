using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// Two rules of this version, applied to databases written before it:
/// - Status follows the release: a version is Released only while an approved release has it in production, a
///   version that was in production and is no longer is Superseded, and one set to Released by hand without ever
///   being in production is a Candidate again.
/// - The scorecard's "Offline p95" row is now "Processing time p95" (one input at a time, end to end, with an
///   interval); waivers stored against the old name follow it, so an approved release still shows what it waived.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261205010000_ReleaseRules")]
public sealed class ReleaseRules : Migration
{
    // The version each module has in production now: its latest production period (by start, then id).
    private const string InProduction = """
        SELECT p."ModelVersionId" FROM "ProductionHistory" p
        WHERE NOT EXISTS (SELECT 1 FROM "ProductionHistory" q
                          WHERE q."ModuleId" = p."ModuleId" AND (q."From" > p."From" OR (q."From" = p."From" AND q."Id" > p."Id")))
        """;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql($"""UPDATE "ModelVersions" SET "Status" = 'Released' WHERE "Status" <> 'Retired' AND "Id" IN ({InProduction});""");
        migrationBuilder.Sql($"""
            UPDATE "ModelVersions" SET "Status" = 'Superseded'
            WHERE "Status" = 'Released' AND "Id" IN (SELECT "ModelVersionId" FROM "ProductionHistory") AND "Id" NOT IN ({InProduction});
            """);
        migrationBuilder.Sql("""UPDATE "ModelVersions" SET "Status" = 'Candidate' WHERE "Status" = 'Released' AND "Id" NOT IN (SELECT "ModelVersionId" FROM "ProductionHistory");""");
        migrationBuilder.Sql("""UPDATE "ReleaseWaivers" SET "Requirement" = 'Processing time p95' WHERE "Requirement" = 'Offline p95';""");
    }

    // The earlier version knows no Superseded: such versions read as Retired there.
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""UPDATE "ModelVersions" SET "Status" = 'Retired' WHERE "Status" = 'Superseded';""");
        migrationBuilder.Sql("""UPDATE "ReleaseWaivers" SET "Requirement" = 'Offline p95' WHERE "Requirement" = 'Processing time p95';""");
    }
}
