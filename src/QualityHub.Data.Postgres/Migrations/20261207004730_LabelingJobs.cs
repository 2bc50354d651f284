using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace QualityHub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class LabelingJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "PreviousVersionId",
                table: "Datasets",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Datasets",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "LabelingJobs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    ModuleId = table.Column<int>(type: "integer", nullable: false),
                    DatasetId = table.Column<int>(type: "integer", nullable: false),
                    Purpose = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false, collation: "C"),
                    Source = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false, collation: "C"),
                    Labels = table.Column<List<string>>(type: "text[]", nullable: false),
                    Quantity = table.Column<int>(type: "integer", nullable: false),
                    UnitPrice = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false, collation: "C"),
                    Budget = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    Deadline = table.Column<long>(type: "bigint", nullable: true),
                    VendorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    VendorContact = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false, collation: "C"),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    SentAt = table.Column<long>(type: "bigint", nullable: true),
                    DeliveredAt = table.Column<long>(type: "bigint", nullable: true),
                    MergedDatasetId = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelingJobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelingJobs_Datasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_LabelingJobs_Datasets_MergedDatasetId",
                        column: x => x.MergedDatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_LabelingJobs_Modules_ModuleId",
                        column: x => x.ModuleId,
                        principalTable: "Modules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LabelingDeliveries",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    FileName = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false, collation: "C"),
                    ReceivedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false),
                    Accepted = table.Column<bool>(type: "boolean", nullable: false),
                    ReportJson = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    RowCount = table.Column<int>(type: "integer", nullable: false),
                    GoldAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    GoldItems = table.Column<int>(type: "integer", nullable: false),
                    Kappa = table.Column<double>(type: "double precision", nullable: true),
                    CompareItems = table.Column<int>(type: "integer", nullable: false),
                    MergedDatasetId = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelingDeliveries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelingDeliveries_Datasets_MergedDatasetId",
                        column: x => x.MergedDatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_LabelingDeliveries_LabelingJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "LabelingJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LabelingGuideVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Markdown = table.Column<string>(type: "character varying(100000)", maxLength: 100000, nullable: false, collation: "C"),
                    ExampleSampleIds = table.Column<List<long>>(type: "bigint[]", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelingGuideVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelingGuideVersions_LabelingJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "LabelingJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LabelingJobItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    SampleId = table.Column<long>(type: "bigint", nullable: false),
                    IsGold = table.Column<bool>(type: "boolean", nullable: false),
                    GoldLabel = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelingJobItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelingJobItems_LabelingJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "LabelingJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_LabelingJobItems_Samples_SampleId",
                        column: x => x.SampleId,
                        principalTable: "Samples",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LabelingQuestions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    SampleId = table.Column<long>(type: "bigint", nullable: true),
                    Text = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false, collation: "C"),
                    AskedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    AskedAt = table.Column<long>(type: "bigint", nullable: false),
                    Answer = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true, collation: "C"),
                    AnsweredBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C"),
                    AnsweredAt = table.Column<long>(type: "bigint", nullable: true),
                    AddToGuide = table.Column<bool>(type: "boolean", nullable: false),
                    FoldedIntoGuideVersion = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelingQuestions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelingQuestions_LabelingJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "LabelingJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LabelingDeliveryRows",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DeliveryId = table.Column<int>(type: "integer", nullable: false),
                    ItemId = table.Column<long>(type: "bigint", nullable: false),
                    SampleId = table.Column<long>(type: "bigint", nullable: false),
                    Label = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false, collation: "C"),
                    CurrentLabel = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false, collation: "C"),
                    Decision = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    DecidedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C"),
                    DecidedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelingDeliveryRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelingDeliveryRows_LabelingDeliveries_DeliveryId",
                        column: x => x.DeliveryId,
                        principalTable: "LabelingDeliveries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Datasets_PreviousVersionId",
                table: "Datasets",
                column: "PreviousVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_LabelingDeliveries_JobId",
                table: "LabelingDeliveries",
                column: "JobId");

            migrationBuilder.CreateIndex(
                name: "IX_LabelingDeliveries_MergedDatasetId",
                table: "LabelingDeliveries",
                column: "MergedDatasetId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LabelingDeliveryRows_DeliveryId_ItemId",
                table: "LabelingDeliveryRows",
                columns: new[] { "DeliveryId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LabelingGuideVersions_JobId_Version",
                table: "LabelingGuideVersions",
                columns: new[] { "JobId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LabelingJobItems_JobId_SampleId",
                table: "LabelingJobItems",
                columns: new[] { "JobId", "SampleId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LabelingJobItems_SampleId",
                table: "LabelingJobItems",
                column: "SampleId");

            migrationBuilder.CreateIndex(
                name: "IX_LabelingJobs_DatasetId",
                table: "LabelingJobs",
                column: "DatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_LabelingJobs_MergedDatasetId",
                table: "LabelingJobs",
                column: "MergedDatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_LabelingJobs_ModuleId",
                table: "LabelingJobs",
                column: "ModuleId");

            migrationBuilder.CreateIndex(
                name: "IX_LabelingQuestions_JobId",
                table: "LabelingQuestions",
                column: "JobId");

            migrationBuilder.AddForeignKey(
                name: "FK_Datasets_Datasets_PreviousVersionId",
                table: "Datasets",
                column: "PreviousVersionId",
                principalTable: "Datasets",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Datasets_Datasets_PreviousVersionId",
                table: "Datasets");

            migrationBuilder.DropTable(
                name: "LabelingDeliveryRows");

            migrationBuilder.DropTable(
                name: "LabelingGuideVersions");

            migrationBuilder.DropTable(
                name: "LabelingJobItems");

            migrationBuilder.DropTable(
                name: "LabelingQuestions");

            migrationBuilder.DropTable(
                name: "LabelingDeliveries");

            migrationBuilder.DropTable(
                name: "LabelingJobs");

            migrationBuilder.DropIndex(
                name: "IX_Datasets_PreviousVersionId",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "PreviousVersionId",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Datasets");
        }
    }
}
