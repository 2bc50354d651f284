using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>
/// A text module's comparison rule (flags: 1 ignore case, 2 ignore spaces, 4 ignore separators); every existing module
/// compares exactly, as before.
/// </summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261205130000_ModuleTextComparison")]
public sealed class ModuleTextComparison : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<int>(name: "TextComparison", table: "Modules", type: "INTEGER", nullable: false, defaultValue: 0);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE Modules DROP COLUMN TextComparison;");
}
