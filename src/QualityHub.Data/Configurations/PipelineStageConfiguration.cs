using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class PipelineStageConfiguration : IEntityTypeConfiguration<PipelineStage>
{
    public void Configure(EntityTypeBuilder<PipelineStage> builder)
    {
        builder.HasIndex(s => new { s.PipelineVersionId, s.Position }).IsUnique();
        builder.HasOne<ModelVersion>().WithMany().HasForeignKey(s => s.PipelineVersionId).OnDelete(DeleteBehavior.Cascade);
        // A version a pipeline pins cannot be deleted from under it (the registry says which pipeline holds it).
        builder.HasOne(s => s.ModelVersion).WithMany().HasForeignKey(s => s.ModelVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}
