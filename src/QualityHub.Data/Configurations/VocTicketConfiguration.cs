using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class VocTicketConfiguration : IEntityTypeConfiguration<VocTicket>
{
    public void Configure(EntityTypeBuilder<VocTicket> builder)
    {
        builder.Property(t => t.Title).HasMaxLength(300);
        builder.Property(t => t.Channel).HasMaxLength(100);
        builder.Property(t => t.CustomerSegment).HasMaxLength(100);
        builder.Property(t => t.InputImageSha256).HasMaxLength(64);
        builder.Property(t => t.Assignee).HasMaxLength(200);
        builder.HasIndex(t => t.Status);
        builder.HasIndex(t => t.InputImageSha256);
        builder.HasOne(t => t.Module).WithMany().HasForeignKey(t => t.ModuleId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Release>().WithMany().HasForeignKey(t => t.ReleaseId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<ModelVersion>().WithMany().HasForeignKey(t => t.ModelVersionId).OnDelete(DeleteBehavior.SetNull);
    }
}
