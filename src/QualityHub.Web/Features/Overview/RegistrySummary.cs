namespace QualityHub.Web.Features.Overview;

/// <summary>How much of everything the database holds, counted when asked.</summary>
public sealed record RegistrySummary(
    int Modules,
    int ModelVersions,
    int Datasets,
    long Samples,
    int EvaluationRuns,
    int Releases,
    int Tickets,
    int OpenTickets)
{
    public bool IsEmpty => Modules == 0 && ModelVersions == 0 && Datasets == 0 && EvaluationRuns == 0 && Releases == 0 && Tickets == 0;
}
