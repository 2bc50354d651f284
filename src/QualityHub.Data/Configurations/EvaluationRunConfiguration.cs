using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class EvaluationRunConfiguration : IEntityTypeConfiguration<EvaluationRun>
{
    public void Configure(EntityTypeBuilder<EvaluationRun> builder)
    {
        builder.Property(r => r.Provider).HasMaxLength(32);
        builder.Property(r => r.RanOn).HasMaxLength(1000);
        builder.Property(r => r.LeaseOwner).HasMaxLength(128);
        builder.HasIndex(r => r.Status);
        builder.HasOne(r => r.ModelVersion).WithMany().HasForeignKey(r => r.ModelVersionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.Dataset).WithMany().HasForeignKey(r => r.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }
}
