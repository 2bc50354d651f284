using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class ReleaseConfiguration : IEntityTypeConfiguration<Release>
{
    public void Configure(EntityTypeBuilder<Release> builder)
    {
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.HasIndex(r => r.Name).IsUnique();
        builder.Property(r => r.ReleaseNotes).HasMaxLength(100_000);
        builder.HasMany(r => r.Entries).WithOne().HasForeignKey(e => e.ReleaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReleaseEntryConfiguration : IEntityTypeConfiguration<ReleaseEntry>
{
    public void Configure(EntityTypeBuilder<ReleaseEntry> builder)
    {
        // A release fixes exactly one version per module.
        builder.HasIndex(e => new { e.ReleaseId, e.ModuleId }).IsUnique();
        builder.HasOne(e => e.Module).WithMany().HasForeignKey(e => e.ModuleId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(e => e.ModelVersion).WithMany().HasForeignKey(e => e.ModelVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReleaseWaiverConfiguration : IEntityTypeConfiguration<ReleaseWaiver>
{
    public void Configure(EntityTypeBuilder<ReleaseWaiver> builder)
    {
        builder.Property(w => w.Requirement).HasMaxLength(100);
        builder.Property(w => w.Reason).HasMaxLength(4000);
        builder.Property(w => w.WaivedBy).HasMaxLength(200);
        builder.HasIndex(w => new { w.ReleaseId, w.ModuleId, w.Requirement }).IsUnique();
        builder.HasOne<Release>().WithMany().HasForeignKey(w => w.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Module>().WithMany().HasForeignKey(w => w.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProductionPeriodConfiguration : IEntityTypeConfiguration<ProductionPeriod>
{
    public void Configure(EntityTypeBuilder<ProductionPeriod> builder)
    {
        builder.HasIndex(p => new { p.ModuleId, p.From });
        builder.HasOne<Module>().WithMany().HasForeignKey(p => p.ModuleId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<ModelVersion>().WithMany().HasForeignKey(p => p.ModelVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Release>().WithMany().HasForeignKey(p => p.ReleaseId).OnDelete(DeleteBehavior.Restrict);
    }
}
