using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// The scorecard's "Offline p95" row is now "Processing time p95" (one input at a time, end to end, with an interval);
/// waivers stored against the old name follow it, so an approved release still shows what it waived.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261205010000_ReleaseRules")]
public sealed class ReleaseRules : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("UPDATE \"ReleaseWaivers\" SET \"Requirement\" = 'Processing time p95' WHERE \"Requirement\" = 'Offline p95';");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("UPDATE \"ReleaseWaivers\" SET \"Requirement\" = 'Offline p95' WHERE \"Requirement\" = 'Processing time p95';");
}
