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
        builder.Property(t => t.ReportedBy).HasMaxLength(200).HasDefaultValue("");
        builder.Property(t => t.CustomerReference).HasMaxLength(200);
        builder.HasIndex(t => t.Status);
        builder.HasIndex(t => t.InputImageSha256);
        builder.HasIndex(t => t.FixedInReleaseId);
        builder.HasOne(t => t.Module).WithMany().HasForeignKey(t => t.ModuleId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Release>().WithMany().HasForeignKey(t => t.ReleaseId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<ModelVersion>().WithMany().HasForeignKey(t => t.ModelVersionId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Release>().WithMany().HasForeignKey(t => t.FixedInReleaseId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Sample>().WithMany().HasForeignKey(t => t.RegressionSampleId).OnDelete(DeleteBehavior.SetNull);
        // Where the complaint was seen: plain references (no foreign key), so adding them to an existing database needs no
        // table rebuild; a ticket whose sample or run is gone says so.
        builder.HasIndex(t => t.SampleId);
        builder.HasIndex(t => t.EvaluationRunId);
    }
}

internal sealed class TicketCommentConfiguration : IEntityTypeConfiguration<TicketComment>
{
    public void Configure(EntityTypeBuilder<TicketComment> builder)
    {
        builder.Property(c => c.Author).HasMaxLength(200);
        builder.Property(c => c.Text).HasMaxLength(4000);
        builder.HasIndex(c => c.TicketId);
        builder.HasOne<VocTicket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketEventConfiguration : IEntityTypeConfiguration<TicketEvent>
{
    public void Configure(EntityTypeBuilder<TicketEvent> builder)
    {
        builder.Property(e => e.Author).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(40);
        builder.HasIndex(e => e.TicketId);
        builder.HasOne<VocTicket>().WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
