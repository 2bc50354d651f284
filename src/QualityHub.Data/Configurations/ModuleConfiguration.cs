using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Configurations;

internal sealed class ModuleConfiguration : IEntityTypeConfiguration<Module>
{
    public void Configure(EntityTypeBuilder<Module> builder)
    {
        builder.Property(m => m.Name).HasMaxLength(200);
        builder.HasIndex(m => m.Name).IsUnique();
        builder.Property(m => m.InputDescription).HasMaxLength(500);
        builder.Property(m => m.OutputDescription).HasMaxLength(500);
        // Flags, so a number; the sentinel lets EF write Exact (0) rather than leave it to the column default.
        builder.Property(m => m.TextComparison).HasConversion<int>().HasDefaultValue(Core.Metrics.TextComparison.Exact).HasSentinel((Core.Metrics.TextComparison)(-1));
    }
}
