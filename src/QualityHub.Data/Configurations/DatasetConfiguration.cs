using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class DatasetConfiguration : IEntityTypeConfiguration<Dataset>
{
    public void Configure(EntityTypeBuilder<Dataset> builder)
    {
        builder.Property(d => d.Name).HasMaxLength(200);
        builder.HasIndex(d => d.Name).IsUnique();
        builder.Property(d => d.LicenceId).HasMaxLength(100);
        builder.HasOne(d => d.Module).WithMany().HasForeignKey(d => d.ModuleId).OnDelete(DeleteBehavior.SetNull);
        builder.Property(d => d.Version).HasDefaultValue(1);
        builder.HasOne<Dataset>().WithMany().HasForeignKey(d => d.PreviousVersionId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(d => d.PreviousVersionId);
    }
}
