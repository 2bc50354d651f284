using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> builder)
    {
        builder.Property(v => v.Name).HasMaxLength(200);
        builder.HasIndex(v => new { v.ModuleId, v.Name }).IsUnique();
        builder.Property(v => v.Sha256).HasMaxLength(64);
        builder.HasIndex(v => v.Sha256);
        builder.Property(v => v.FileName).HasMaxLength(260);
        builder.HasOne(v => v.Module).WithMany(m => m.Versions).HasForeignKey(v => v.ModuleId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(v => v.TrainedOnDataset).WithMany().HasForeignKey(v => v.TrainedOnDatasetId).OnDelete(DeleteBehavior.SetNull);
    }
}
