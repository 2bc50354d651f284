using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QualityHub.Data.Migrations
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
                type: "TEXT",
                maxLength: 1000,
                nullable: true);
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
