using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class RetrainingRequestConfiguration : IEntityTypeConfiguration<RetrainingRequest>
{
    public void Configure(EntityTypeBuilder<RetrainingRequest> builder)
    {
        builder.Property(r => r.Reason).HasMaxLength(RetrainingRequest.MaxReasonLength);
        builder.Property(r => r.RequestedBy).HasMaxLength(200);
        builder.HasIndex(r => new { r.ModuleId, r.CreatedAt });
        builder.HasOne<Module>().WithMany().HasForeignKey(r => r.ModuleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Release>().WithMany().HasForeignKey(r => r.ReleaseId).OnDelete(DeleteBehavior.SetNull);
    }
}
