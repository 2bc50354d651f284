using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class ErrorTagConfiguration : IEntityTypeConfiguration<ErrorTag>
{
    public void Configure(EntityTypeBuilder<ErrorTag> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(ErrorTaxonomy.MaxNameLength);
        builder.HasIndex(t => new { t.ModuleId, t.Name }).IsUnique();
        builder.HasOne<Module>().WithMany(m => m.ErrorTags).HasForeignKey(t => t.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SampleErrorTagConfiguration : IEntityTypeConfiguration<SampleErrorTag>
{
    public void Configure(EntityTypeBuilder<SampleErrorTag> builder)
    {
        builder.HasKey(t => new { t.SampleId, t.ErrorTagId });
        builder.HasIndex(t => t.ErrorTagId);
        builder.Property(t => t.TaggedBy).HasMaxLength(200).HasDefaultValue("");
        builder.HasOne<Sample>().WithMany().HasForeignKey(t => t.SampleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(t => t.ErrorTag).WithMany().HasForeignKey(t => t.ErrorTagId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SampleNoteConfiguration : IEntityTypeConfiguration<SampleNote>
{
    public void Configure(EntityTypeBuilder<SampleNote> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(ErrorTaxonomy.MaxNoteLength);
        builder.Property(n => n.Author).HasMaxLength(200).HasDefaultValue("");
        builder.HasIndex(n => n.SampleId);
        builder.HasOne<Sample>().WithMany().HasForeignKey(n => n.SampleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GroundTruthFlagConfiguration : IEntityTypeConfiguration<GroundTruthFlag>
{
    public void Configure(EntityTypeBuilder<GroundTruthFlag> builder)
    {
        builder.HasKey(f => f.SampleId);
        builder.Property(f => f.SampleId).ValueGeneratedNever();
        builder.Property(f => f.SuggestedLabel).HasMaxLength(1000);
        builder.Property(f => f.Reason).HasMaxLength(ErrorTaxonomy.MaxNoteLength);
        builder.Property(f => f.FlaggedBy).HasMaxLength(200).HasDefaultValue("");
        builder.HasOne<Sample>().WithMany().HasForeignKey(f => f.SampleId).OnDelete(DeleteBehavior.Cascade);
    }
}
