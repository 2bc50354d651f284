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
        builder.HasOne<EvaluationRun>().WithMany().HasForeignKey(p => p.EvaluationRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Sample>().WithMany().HasForeignKey(p => p.SampleId).OnDelete(DeleteBehavior.Cascade);
    }
}
