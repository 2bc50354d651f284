using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace QualityHub.Data.Copying;

/// <summary>
/// What a copy writes, read from the EF model rather than listed by hand, so a table added later is copied without
/// anyone remembering to: every entity type's table, principals before their dependents (foreign-key order), each
/// column with the source property it comes from and how the target stores it. EF's migrations history is not an
/// entity type, so it is not copied; the target keeps its own.
/// </summary>
internal sealed class CopyPlan
{
    private CopyPlan(IReadOnlyList<CopyTable> tables) => Tables = tables;

    /// <summary>The tables in an order that satisfies every foreign key: a row's principal is always copied before it.</summary>
    public IReadOnlyList<CopyTable> Tables { get; }

    /// <summary>
    /// The plan for copying from a database described by <paramref name="source"/> into one described by
    /// <paramref name="target"/> (the same DbContext on two engines). Throws for a mapping it cannot copy faithfully
    /// (owned or complex types, inheritance, shared or keyless tables, a cycle of foreign keys): a model change that needs
    /// the copier taught something fails its test rather than copying part of the data.
    /// </summary>
    public static CopyPlan Build(IModel source, IModel target)
    {
        var types = source.GetEntityTypes().ToList();
        foreach (var type in types)
        {
            CheckSupported(type);
        }

        var shared = types.GroupBy(t => (t.GetSchema(), t.GetTableName())).FirstOrDefault(g => g.Count() > 1);
        if (shared is not null)
        {
            throw Unsupported(shared.First(), $"its table {shared.Key.Item2} is shared with {string.Join(", ", shared.Skip(1).Select(t => t.DisplayName()))}");
        }

        return new CopyPlan(InForeignKeyOrder(types).Select(type => Table(type, target)).ToList());
    }

    private static void CheckSupported(IEntityType type)
    {
        var problem =
            type.IsOwned() ? "it is owned" :
            type.BaseType is not null || type.GetDerivedTypes().Any() ? "it is part of an inheritance hierarchy" :
            type.GetComplexProperties().Any() ? "it has complex properties" :
            type.GetTableName() is null ? "it is not mapped to a table" :
            type.FindPrimaryKey() is null ? "it has no key" :
            null;
        if (problem is not null)
        {
            throw Unsupported(type, problem);
        }
    }

    private static InvalidOperationException Unsupported(IEntityType type, string problem) =>
        new($"copy-database cannot copy {type.DisplayName()}: {problem}. Teach {nameof(CopyPlan)} how, with a test.");

    /// <summary>Kahn's topological sort, taking tables in name order among those ready, so the order is the same every time.</summary>
    private static List<IEntityType> InForeignKeyOrder(List<IEntityType> types)
    {
        var waitingFor = types.ToDictionary(
            t => t,
            t => t.GetForeignKeys().Select(fk => fk.PrincipalEntityType).Where(principal => principal != t).ToHashSet());
        var ordered = new List<IEntityType>(types.Count);
        while (waitingFor.Count > 0)
        {
            var ready = waitingFor.Where(w => w.Value.Count == 0).Select(w => w.Key).OrderBy(t => t.GetTableName(), StringComparer.Ordinal).ToList();
            if (ready.Count == 0)
            {
                throw Unsupported(waitingFor.Keys.First(), $"its foreign keys form a cycle among {string.Join(", ", waitingFor.Keys.Select(t => t.GetTableName()))}");
            }

            foreach (var type in ready)
            {
                ordered.Add(type);
                waitingFor.Remove(type);
                foreach (var principals in waitingFor.Values)
                {
                    principals.Remove(type);
                }
            }
        }

        return ordered;
    }

    private static CopyTable Table(IEntityType sourceType, IModel target)
    {
        var targetType = target.FindEntityType(sourceType.Name)
            ?? throw Unsupported(sourceType, "the target's model has no such entity type");
        var columns = sourceType.GetProperties()
            .Select(source =>
            {
                var property = targetType.FindProperty(source.Name) ?? throw Unsupported(sourceType, $"the target's model has no property {source.Name}");
                var mapping = property.GetRelationalTypeMapping();
                return new CopyColumn(source, property.GetColumnName(), mapping.Converter, mapping.StoreType);
            })
            .ToList();
        // Keys the database generates (identity columns): their sequences are moved past the copied values afterwards.
        var generated = targetType.GetProperties()
            .Where(p => p.ValueGenerated == ValueGenerated.OnAdd && (Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType) is var clr && (clr == typeof(int) || clr == typeof(long) || clr == typeof(short)))
            .Select(p => p.GetColumnName())
            .ToList();
        return new CopyTable(sourceType, targetType.GetSchema(), targetType.GetTableName()!, columns, sourceType.FindPrimaryKey()!.Properties, generated);
    }
}

/// <summary>One table to copy: where to read it (the source's entity type) and where to write it.</summary>
/// <param name="Source">The entity type in the source's model, read through EF so its values arrive as the app sees them.</param>
/// <param name="Schema">The target table's schema (null: the connection's default).</param>
/// <param name="Name">The target table's name.</param>
/// <param name="Columns">Every property of the entity type, shadow ones included, in the order rows are read and written.</param>
/// <param name="Key">The primary key's properties: rows are read in key order.</param>
/// <param name="GeneratedColumns">Target columns whose values the database generates on insert (identity keys).</param>
internal sealed record CopyTable(
    IEntityType Source, string? Schema, string Name, IReadOnlyList<CopyColumn> Columns, IReadOnlyList<IProperty> Key, IReadOnlyList<string> GeneratedColumns)
{
    /// <summary>The table's name quoted for PostgreSQL, schema-qualified when it has one.</summary>
    public string QuotedName => Schema is null ? Quote(Name) : $"{Quote(Schema)}.{Quote(Name)}";

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>One column: the source property read, and how the target stores its value.</summary>
/// <param name="Property">The property in the source's model.</param>
/// <param name="Name">The target column's name.</param>
/// <param name="ToTarget">The target's value converter (e.g. DateTimeOffset to UTC ticks, enums to their names), if it has one.</param>
/// <param name="StoreType">The target column's type, e.g. <c>bigint</c>, <c>character varying(200)</c>, <c>text[]</c>.</param>
internal sealed record CopyColumn(IProperty Property, string Name, ValueConverter? ToTarget, string StoreType)
{
    /// <summary>The value as the target's column holds it.</summary>
    public object? ToProvider(object? value) => value is null || ToTarget is null ? value : ToTarget.ConvertToProvider(value);
}
