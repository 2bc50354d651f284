using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class RequirementConfiguration : IEntityTypeConfiguration<Requirement>
{
    public void Configure(EntityTypeBuilder<Requirement> builder)
    {
        // Versioned: a change is a new row, the history stays.
        builder.HasIndex(r => new { r.ModuleId, r.Version }).IsUnique();
        builder.Property(r => r.AccuracyMetric).HasMaxLength(64);
        builder.Property(r => r.GpuModel).HasMaxLength(100);
        builder.Property(r => r.Cpu).HasMaxLength(100);
        builder.HasOne(r => r.Module).WithMany().HasForeignKey(r => r.ModuleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Dataset>().WithMany().HasForeignKey(r => r.AccuracyDatasetId).OnDelete(DeleteBehavior.SetNull);
    }
}
