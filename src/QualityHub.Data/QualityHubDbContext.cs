using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;
using QualityHub.Core.Labeling;
using QualityHub.Data.Accounts;

namespace QualityHub.Data;

/// <summary>The QualityHub database. Create one per operation through IDbContextFactory and dispose it.</summary>
public sealed class QualityHubDbContext(DbContextOptions<QualityHubDbContext> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<Module> Modules => Set<Module>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<PipelineStage> PipelineStages => Set<PipelineStage>();
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Sample> Samples => Set<Sample>();
    public DbSet<EvaluationRun> EvaluationRuns => Set<EvaluationRun>();
    public DbSet<Prediction> Predictions => Set<Prediction>();
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<ReleaseEntry> ReleaseEntries => Set<ReleaseEntry>();
    public DbSet<ReleaseWaiver> ReleaseWaivers => Set<ReleaseWaiver>();
    public DbSet<ProductionPeriod> ProductionHistory => Set<ProductionPeriod>();
    public DbSet<VocTicket> VocTickets => Set<VocTicket>();
    public DbSet<TicketComment> TicketComments => Set<TicketComment>();
    public DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    public DbSet<Requirement> Requirements => Set<Requirement>();
    public DbSet<ErrorTag> ErrorTags => Set<ErrorTag>();
    public DbSet<SampleErrorTag> SampleErrorTags => Set<SampleErrorTag>();
    public DbSet<SampleNote> SampleNotes => Set<SampleNote>();
    public DbSet<GroundTruthFlag> GroundTruthFlags => Set<GroundTruthFlag>();
    public DbSet<OnlineEvent> OnlineEvents => Set<OnlineEvent>();
    public DbSet<OnlineAggregate> OnlineAggregates => Set<OnlineAggregate>();
    public DbSet<DriftAggregate> DriftAggregates => Set<DriftAggregate>();
    public DbSet<RunProfile> RunProfiles => Set<RunProfile>();
    public DbSet<RetrainingRequest> RetrainingRequests => Set<RetrainingRequest>();
    public DbSet<LabelingJob> LabelingJobs => Set<LabelingJob>();
    public DbSet<LabelingJobItem> LabelingJobItems => Set<LabelingJobItem>();
    public DbSet<LabelingGuideVersion> LabelingGuideVersions => Set<LabelingGuideVersion>();
    public DbSet<LabelingQuestion> LabelingQuestions => Set<LabelingQuestion>();
    public DbSet<LabelingDelivery> LabelingDeliveries => Set<LabelingDelivery>();
    public DbSet<LabelingDeliveryRow> LabelingDeliveryRows => Set<LabelingDeliveryRow>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    /// <summary>ASP.NET Core's data-protection key ring (sign-in cookies, antiforgery), kept here on PostgreSQL so all instances share it.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Identity's tables (accounts and roles) first, then ours.
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(QualityHubDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset stored as text; UTC ticks as INTEGER can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        // Enums as their names: readable in SQL, and safe when members are reordered.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        if (Database.IsNpgsql())
        {
            // Text compares and sorts by code point, as in SQLite: the same order and the same answers on both engines,
            // whatever locale the server's database was created with.
            configurationBuilder.Properties<string>().UseCollation("C");
        }
    }
}
