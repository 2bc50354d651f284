using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class SampleConfiguration : IEntityTypeConfiguration<Sample>
{
    public void Configure(EntityTypeBuilder<Sample> builder)
    {
        builder.HasIndex(s => new { s.DatasetId, s.Ordinal }).IsUnique();
        builder.Property(s => s.ImageSha256).HasMaxLength(64);
        builder.HasIndex(s => s.ImageSha256);
        builder.HasOne(s => s.Dataset).WithMany(d => d.Samples).HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }
}
