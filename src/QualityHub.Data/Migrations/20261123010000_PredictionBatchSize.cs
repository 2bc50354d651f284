using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace QualityHub.Data.Migrations;

/// <summary>Predictions record the engine's batch size, so latency can be read against how the item was batched.</summary>
[DbContext(typeof(QualityHubDbContext))]
[Migration("20261123010000_PredictionBatchSize")]
public sealed class PredictionBatchSize : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<int>(name: "BatchSize", table: "Predictions", type: "INTEGER", nullable: false, defaultValue: 0);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "BatchSize", table: "Predictions");
}
