namespace QualityHub.Web.Components.Shared;

/// <summary>A form's server refusals by field (as the API names fields), so each message shows on its own input.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> errors = new(StringComparer.OrdinalIgnoreCase);

    public bool Any => errors.Count > 0;

    /// <summary>Records a refusal; false when it names no field of <paramref name="known"/>, so the caller shows it elsewhere.</summary>
    public bool Set(string? field, string message, params IReadOnlyCollection<string> known)
    {
        if (field is null || (known.Count > 0 && !known.Contains(field, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }

        errors[field] = message;
        return true;
    }

    public string? For(string field) => errors.GetValueOrDefault(field);

    public bool Has(string field) => errors.ContainsKey(field);

    /// <summary>Forgets one field's refusal (its value was changed) or, without a field, all of them.</summary>
    public void Clear(string? field = null)
    {
        if (field is null)
        {
            errors.Clear();
        }
        else
        {
            errors.Remove(field);
        }
    }
}
