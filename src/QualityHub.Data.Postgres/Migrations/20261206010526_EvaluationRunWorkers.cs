using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QualityHub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class EvaluationRunWorkers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RanOn",
                table: "EvaluationRuns",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true,
                collation: "C");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RanOn",
                table: "EvaluationRuns");
        }
    }
}
