using QualityHub.Data.Accounts;

namespace QualityHub.Web.Features.Accounts;

/// <summary>
/// What each role may do: everyone signed in reads; modelers (and quality managers) run evaluations, tag, register
/// models and datasets, file and work tickets; planners edit requirements; quality managers approve releases;
/// data curators run labeling jobs with vendors and manage the datasets they make; admins may do everything and alone
/// manage accounts and API keys.
/// </summary>
public static class Policies
{
    public const string Read = "read";
    public const string Model = "model";
    public const string Plan = "plan";
    public const string Approve = "approve";
    public const string Curate = "curate";
    public const string Datasets = "datasets";
    public const string Administer = "administer";

    /// <summary>The roles each policy admits.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        [Read] = QualityHubRoles.All,
        [Model] = [QualityHubRoles.Modeler, QualityHubRoles.QualityManager, QualityHubRoles.Admin],
        [Plan] = [QualityHubRoles.Planner, QualityHubRoles.Admin],
        [Approve] = [QualityHubRoles.QualityManager, QualityHubRoles.Admin],
        [Curate] = [QualityHubRoles.DataCurator, QualityHubRoles.Admin],
        [Datasets] = [QualityHubRoles.Modeler, QualityHubRoles.QualityManager, QualityHubRoles.DataCurator, QualityHubRoles.Admin],
        [Administer] = [QualityHubRoles.Admin],
    };
}

/// <summary>Marks a non-GET endpoint that only reads (e.g. POST /api/compare runs models but changes nothing), so it needs no more than Read.</summary>
public sealed class ReadOnlyRequestAttribute : Attribute;
