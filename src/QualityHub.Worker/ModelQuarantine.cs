using System.Collections.Concurrent;
using QualityHub.Inference.Engine;

namespace QualityHub.Worker;

/// <summary>A model kept from running, why and since when.</summary>
public sealed record QuarantinedModel(string Key, string DisplayName, string Reason, DateTimeOffset Since);

/// <summary>
/// Models that took the portal's isolated worker down with them. A model that was running each of the
/// <see cref="CrashesToQuarantine"/> times the worker process died is quarantined: no worker is asked to run it again
/// (the next run of it would most likely crash the worker once more, and everything in flight with it) until a person
/// lifts the quarantine. Kept for the portal's life: a restarted portal gives a model its two chances again.
/// </summary>
public sealed class ModelQuarantine(TimeProvider time)
{
    public const int CrashesToQuarantine = 2;

    private readonly ConcurrentDictionary<string, Record> records = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts a death of worker process <paramref name="generation"/> while <paramref name="key"/> ran on it (the same
    /// death counts once, however many of the model's requests it took with it); true when this death quarantined it.
    /// </summary>
    public bool RecordCrash(string key, string displayName, int generation, string reason)
    {
        var record = records.GetOrAdd(key, _ => new Record());
        lock (record)
        {
            record.Generations.Add(generation);
            if (record.Quarantined is not null || record.Generations.Count < CrashesToQuarantine)
            {
                return false;
            }

            record.Quarantined = new QuarantinedModel(key, displayName,
                $"It was running each of the {record.Generations.Count} times the isolated worker process died; the last time: {reason}", time.GetUtcNow());
            return true;
        }
    }

    /// <summary>The quarantine of the model whose content hash is <paramref name="key"/>, or null.</summary>
    public QuarantinedModel? Find(string key) =>
        records.TryGetValue(key, out var record) ? Volatile.Read(ref record.Quarantined) : null;

    public IReadOnlyList<QuarantinedModel> All() =>
        records.Values.Select(r => Volatile.Read(ref r.Quarantined)).OfType<QuarantinedModel>().OrderBy(q => q.Since).ToList();

    /// <summary>Lets the model run again, its crashes forgotten; false when it was not quarantined.</summary>
    public bool Lift(string key) =>
        records.TryGetValue(key, out var record) && Volatile.Read(ref record.Quarantined) is not null && records.TryRemove(new KeyValuePair<string, Record>(key, record));

    /// <summary>Refuses a quarantined model, with its reason.</summary>
    public void ThrowIfQuarantined(ModelSpec model)
    {
        if (Find(model.Key) is { } quarantined)
        {
            throw new ModelQuarantinedException($"Model '{model.DisplayName}' is quarantined since {quarantined.Since:yyyy-MM-dd HH:mm} UTC: {quarantined.Reason}");
        }
    }

    private sealed class Record
    {
        public readonly HashSet<int> Generations = [];
        public QuarantinedModel? Quarantined;
    }
}
