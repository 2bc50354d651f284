using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class PredictionConfiguration : IEntityTypeConfiguration<Prediction>
{
    public void Configure(EntityTypeBuilder<Prediction> builder)
    {
        // One prediction per sample per run: a resumed run can insert-or-skip without duplicates.
        builder.HasIndex(p => new { p.EvaluationRunId, p.SampleId }).IsUnique();
        // Added by a later migration: rows written before it had no batch size, and SQLite needs a default to add the column.
        builder.Property(p => p.BatchSize).HasDefaultValue(0).HasSentinel(-1);
        builder.HasOne<EvaluationRun>().WithMany().HasForeignKey(p => p.EvaluationRunId).OnDelete(DeleteBehavior.Cascade);

        // No foreign key to Samples, and so no index on SampleId: maintaining it cost a page write per few samples of
        // every run (migration PredictionsWithoutSampleIndex, decision 009). Samples are never deleted.
    }
}
