using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

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

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Record(DbContext? context)
    {
        if (context is null || AuditActor.Name is not { } actor)
        {
            return;
        }

        var changes = context.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && e.Entity is not AuditEntry)
            .ToList();
        var at = DateTimeOffset.UtcNow;
        foreach (var entry in changes)
        {
            var details = Details(entry);
            if (entry.State == EntityState.Modified && details.Length == 0)
            {
                continue;
            }

            context.Add(new AuditEntry
            {
                At = at,
                Actor = Cut(actor, 256),
                Action = Cut($"{entry.State switch { EntityState.Added => "added", EntityState.Deleted => "removed", _ => "changed" }} {Name(entry)}", 100),
                Target = Cut(Target(entry), 200),
                Details = Cut(details, 4000),
            });
        }
    }

    private static string Target(EntityEntry entry)
    {
        var key = entry.Metadata.FindPrimaryKey();
        var id = key is null || entry.State == EntityState.Added
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
