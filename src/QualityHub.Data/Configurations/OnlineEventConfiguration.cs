using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class OnlineEventConfiguration : IEntityTypeConfiguration<OnlineEvent>
{
    public const int MaxEventIdLength = 200;
    public const int MaxValueLength = 4000;

    public void Configure(EntityTypeBuilder<OnlineEvent> builder)
    {
        builder.Property(e => e.EventId).HasMaxLength(MaxEventIdLength);
        builder.Property(e => e.Predicted).HasMaxLength(MaxValueLength);
        builder.Property(e => e.CorrectedValue).HasMaxLength(MaxValueLength);
        builder.Property(e => e.TopKJson).HasMaxLength(MaxValueLength);
        builder.Property(e => e.FeaturesJson).HasMaxLength(MaxValueLength);
        // Idempotency: a repeated event id is skipped by the insert (ON CONFLICT DO NOTHING).
        builder.HasIndex(e => e.EventId).IsUnique();
        builder.HasIndex(e => new { e.ReleaseId, e.ModuleId, e.Timestamp });
        builder.HasOne<Release>().WithMany().HasForeignKey(e => e.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Module>().WithMany().HasForeignKey(e => e.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OnlineAggregateConfiguration : IEntityTypeConfiguration<OnlineAggregate>
{
    public void Configure(EntityTypeBuilder<OnlineAggregate> builder)
    {
        // Charts read one module at one resolution over a time range, all releases at once: the key is in that order.
        builder.HasKey(a => new { a.ModuleId, a.BucketSeconds, a.BucketStart, a.ReleaseId });
        builder.HasOne<Release>().WithMany().HasForeignKey(a => a.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Module>().WithMany().HasForeignKey(a => a.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DriftAggregateConfiguration : IEntityTypeConfiguration<DriftAggregate>
{
    public void Configure(EntityTypeBuilder<DriftAggregate> builder)
    {
        // The drift page reads one module over a time range, every release and descriptor at once: the key is in that order.
        builder.HasKey(a => new { a.ModuleId, a.HourStart, a.ReleaseId, a.Descriptor });
        builder.Property(a => a.Descriptor).HasMaxLength(40);
        builder.HasOne<Release>().WithMany().HasForeignKey(a => a.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Module>().WithMany().HasForeignKey(a => a.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RunProfileConfiguration : IEntityTypeConfiguration<RunProfile>
{
    public void Configure(EntityTypeBuilder<RunProfile> builder)
    {
        builder.HasKey(p => new { p.EvaluationRunId, p.Descriptor });
        builder.Property(p => p.Descriptor).HasMaxLength(40);
        builder.HasOne<EvaluationRun>().WithMany().HasForeignKey(p => p.EvaluationRunId).OnDelete(DeleteBehavior.Cascade);
    }
}
