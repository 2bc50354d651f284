using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;
using QualityHub.Core.Labeling;

namespace QualityHub.Data.Configurations;

internal sealed class LabelingJobConfiguration : IEntityTypeConfiguration<LabelingJob>
{
    public void Configure(EntityTypeBuilder<LabelingJob> builder)
    {
        builder.Property(j => j.Name).HasMaxLength(200);
        builder.Property(j => j.Purpose).HasMaxLength(4000);
        builder.Property(j => j.Source).HasMaxLength(1000);
        builder.Property(j => j.Currency).HasMaxLength(3);
        builder.Property(j => j.UnitPrice).HasPrecision(18, 4);
        builder.Property(j => j.Budget).HasPrecision(18, 4);
        builder.Property(j => j.VendorName).HasMaxLength(200);
        builder.Property(j => j.VendorContact).HasMaxLength(400);
        builder.Property(j => j.CreatedBy).HasMaxLength(200);
        builder.HasIndex(j => j.ModuleId);
        builder.HasIndex(j => j.DatasetId);
        builder.HasOne<Module>().WithMany().HasForeignKey(j => j.ModuleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Dataset>().WithMany().HasForeignKey(j => j.DatasetId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Dataset>().WithMany().HasForeignKey(j => j.MergedDatasetId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(j => j.Items).WithOne().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LabelingJobItemConfiguration : IEntityTypeConfiguration<LabelingJobItem>
{
    public void Configure(EntityTypeBuilder<LabelingJobItem> builder)
    {
        builder.HasIndex(i => new { i.JobId, i.SampleId }).IsUnique();
        builder.Property(i => i.GoldLabel).HasMaxLength(1000);
        builder.HasOne<Sample>().WithMany().HasForeignKey(i => i.SampleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LabelingGuideVersionConfiguration : IEntityTypeConfiguration<LabelingGuideVersion>
{
    public void Configure(EntityTypeBuilder<LabelingGuideVersion> builder)
    {
        builder.HasIndex(g => new { g.JobId, g.Version }).IsUnique();
        builder.Property(g => g.Markdown).HasMaxLength(LabelingRules.MaxGuideLength);
        builder.Property(g => g.CreatedBy).HasMaxLength(200);
        builder.HasOne<LabelingJob>().WithMany().HasForeignKey(g => g.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LabelingQuestionConfiguration : IEntityTypeConfiguration<LabelingQuestion>
{
    public void Configure(EntityTypeBuilder<LabelingQuestion> builder)
    {
        builder.HasIndex(q => q.JobId);
        builder.Property(q => q.Text).HasMaxLength(LabelingRules.MaxQuestionLength);
        builder.Property(q => q.Answer).HasMaxLength(LabelingRules.MaxQuestionLength);
        builder.Property(q => q.AskedBy).HasMaxLength(200);
        builder.Property(q => q.AnsweredBy).HasMaxLength(200);
        builder.HasOne<LabelingJob>().WithMany().HasForeignKey(q => q.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LabelingDeliveryConfiguration : IEntityTypeConfiguration<LabelingDelivery>
{
    public void Configure(EntityTypeBuilder<LabelingDelivery> builder)
    {
        builder.HasIndex(d => d.JobId);
        builder.HasIndex(d => d.MergedDatasetId).IsUnique();
        builder.Property(d => d.FileName).HasMaxLength(260);
        builder.Property(d => d.ReceivedBy).HasMaxLength(200);
        builder.HasOne<LabelingJob>().WithMany().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Dataset>().WithMany().HasForeignKey(d => d.MergedDatasetId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(d => d.Rows).WithOne().HasForeignKey(r => r.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LabelingDeliveryRowConfiguration : IEntityTypeConfiguration<LabelingDeliveryRow>
{
    public void Configure(EntityTypeBuilder<LabelingDeliveryRow> builder)
    {
        builder.HasIndex(r => new { r.DeliveryId, r.ItemId }).IsUnique();
        builder.Property(r => r.Label).HasMaxLength(1000);
        builder.Property(r => r.CurrentLabel).HasMaxLength(1000);
        builder.Property(r => r.DecidedBy).HasMaxLength(200);
    }
}
