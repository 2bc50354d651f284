using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QualityHub.Data.Migrations
{
    /// <inheritdoc />
    public partial class DataValidation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DataRulesJson",
                table: "Modules",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ValidationJson",
                table: "Datasets",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DataRulesJson",
                table: "Modules");

            migrationBuilder.DropColumn(
                name: "ValidationJson",
                table: "Datasets");
        }
    }
}
