namespace QualityHub.Data;

/// <summary>
/// This process among the portal instances that share one database: the name its claims (evaluation leases) carry.
/// A random part first (so a restarted process, or a recycled process id, is a new instance), then host and process
/// id for people reading the database; at most 128 characters.
/// </summary>
public sealed class InstanceIdentity
{
    public string Id { get; } = Truncate($"{Guid.NewGuid():N}/{Environment.MachineName}/{Environment.ProcessId}");

    private static string Truncate(string id) => id.Length <= 128 ? id : id[..128];
}
