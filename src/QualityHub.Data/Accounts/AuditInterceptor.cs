using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace QualityHub.Data.Accounts;

/// <summary>Who is acting in the current flow (an HTTP request or a page's event): set by the web app, read by the audit log.</summary>
public static class AuditActor
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The signed-in person or API key; null for the app's own background work, which is not audited.</summary>
    public static string? Name
    {
        get => Current.Value;
        set => Current.Value = value;
    }
}

/// <summary>
/// Writes an audit entry for every record a person or API key adds, changes or removes, in the same transaction as
/// the change (so the log and the data cannot disagree). Secrets (password and key hashes, stamps) are never logged.
/// </summary>
public sealed class AuditInterceptor : SaveChangesInterceptor
{
    private static readonly HashSet<string> Secret = new(StringComparer.Ordinal)
    {
        "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "Hash", "NormalizedEmail", "NormalizedUserName", "NormalizedName",
    };

    // Written in bulk (thousands of sample tags in one request, removed with one DELETE): their feature logs one
    // entry per request through Note instead of one per row.
    private static readonly HashSet<Type> NotedByTheirFeature = [typeof(Core.Domain.SampleErrorTag)];

    /// <summary>
    /// Adds one audit entry for a change made in bulk, to be saved with it (in its transaction); nothing when no person
    /// or API key is acting.
    /// </summary>
    public static void Note(DbContext context, string action, string target, string details)
    {
        if (AuditActor.Name is { } actor)
        {
            context.Add(new AuditEntry { At = DateTimeOffset.UtcNow, Actor = Cut(actor, 256), Action = Cut(action, 100), Target = Cut(target, 200), Details = Cut(details, 4000) });
        }
    }

    // Records added with a key the database assigns get their audit entry's target once the key is known: after the
    // save, in the same transaction (one this interceptor opens when the caller has none).
    private static readonly ConditionalWeakTable<DbContext, PendingTargets> Pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (Record(eventData.Context) is { } pending)
        {
            pending.Transaction = eventData.Context!.Database.CurrentTransaction is null ? eventData.Context.Database.BeginTransaction() : null;
            Pending.AddOrUpdate(eventData.Context, pending);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Record(eventData.Context) is { } pending)
        {
            pending.Transaction = eventData.Context!.Database.CurrentTransaction is null ? await eventData.Context.Database.BeginTransactionAsync(cancellationToken) : null;
            Pending.AddOrUpdate(eventData.Context, pending);
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Take(eventData.Context) is { } pending)
        {
            using var transaction = pending.Transaction;
            pending.FillTargets();
            eventData.Context!.SaveChanges();
            transaction?.Commit();
        }

        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (Take(eventData.Context) is { } pending)
        {
            await using var transaction = pending.Transaction;
            pending.FillTargets();
            await eventData.Context!.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }

        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Take(eventData.Context)?.Transaction?.Dispose();

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Take(eventData.Context)?.Transaction is { } transaction)
        {
            await transaction.DisposeAsync(); // rolls back
        }
    }

    private static PendingTargets? Take(DbContext? context) =>
        context is not null && Pending.TryGetValue(context, out var pending) && Pending.Remove(context) ? pending : null;

    /// <summary>Adds the audit entries of the context's changes; returns those whose target waits for a database key.</summary>
    private static PendingTargets? Record(DbContext? context)
    {
        if (context is null || AuditActor.Name is not { } actor)
        {
            return null;
        }

        var changes = context.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && e.Entity is not AuditEntry && !NotedByTheirFeature.Contains(e.Metadata.ClrType))
            .ToList();
        var at = DateTimeOffset.UtcNow;
        var waiting = new List<(AuditEntry, EntityEntry)>();
        foreach (var entry in changes)
        {
            var details = Details(entry);
            if (entry.State == EntityState.Modified && details.Length == 0)
            {
                continue;
            }

            var audit = new AuditEntry
            {
                At = at,
                Actor = Cut(actor, 256),
                Action = Cut($"{entry.State switch { EntityState.Added => "added", EntityState.Deleted => "removed", _ => "changed" }} {Name(entry)}", 100),
                Target = Cut(Target(entry), 200),
                Details = Cut(details, 4000),
            };
            context.Add(audit);
            // A key or a reference to a row added in the same save is known only after it: the entry is completed then.
            if (entry.State == EntityState.Added && entry.Properties.Any(p => p.IsTemporary))
            {
                waiting.Add((audit, entry));
            }
        }

        return waiting.Count > 0 ? new PendingTargets(waiting) : null;
    }

    private static bool HasTemporaryKey(EntityEntry entry) =>
        entry.Metadata.FindPrimaryKey()?.Properties.Any(p => entry.Property(p.Name).IsTemporary) == true;

    private sealed class PendingTargets(List<(AuditEntry Audit, EntityEntry Entry)> waiting)
    {
        public IDbContextTransaction? Transaction { get; set; }

        public void FillTargets()
        {
            foreach (var (audit, entry) in waiting)
            {
                audit.Target = Cut(Target(entry), 200);
                audit.Details = Cut(Details(entry), 4000);
            }
        }
    }

    private static string Target(EntityEntry entry)
    {
        var key = entry.Metadata.FindPrimaryKey();
        var id = key is null || HasTemporaryKey(entry)
            ? "new"
            : string.Join("/", key.Properties.Select(p => Convert.ToString(entry.Property(p.Name).CurrentValue, CultureInfo.InvariantCulture)));
        var name = new[] { "Name", "Title", "UserName" }.Select(n => entry.Metadata.FindProperty(n)).FirstOrDefault(p => p is not null);
        var label = name is null ? null : Convert.ToString(entry.Property(name.Name).CurrentValue, CultureInfo.InvariantCulture);
        return $"{Name(entry)} {id}{(string.IsNullOrEmpty(label) ? "" : $" ({label})")}";
    }

    // IdentityUserRole`1 reads as IdentityUserRole.
    private static string Name(EntityEntry entry) => entry.Metadata.ClrType.Name.Split('`')[0];

    private static string Details(EntityEntry entry)
    {
        var text = new StringBuilder();
        foreach (var property in entry.Properties.Where(p => !Secret.Contains(p.Metadata.Name) && !p.Metadata.IsPrimaryKey()))
        {
            if (entry.State == EntityState.Modified && !property.IsModified)
            {
                continue;
            }

            var now = Show(property.CurrentValue);
            if (entry.State == EntityState.Modified)
            {
                var before = Show(property.OriginalValue);
                if (before != now)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{property.Metadata.Name}: {before} → {now}; ");
                }
            }
            else if (entry.State == EntityState.Added && now.Length > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{property.Metadata.Name}: {now}; ");
            }
        }

        return text.ToString().TrimEnd(' ', ';');
    }

    private static string Show(object? value) => value switch
    {
        null => "",
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        byte[] bytes => $"{bytes.Length} bytes",
        System.Collections.IEnumerable list and not string => string.Join(", ", list.Cast<object?>().Select(Show)),
        _ => Cut(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", 300),
    };

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
