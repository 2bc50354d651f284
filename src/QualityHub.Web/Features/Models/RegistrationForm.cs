using System.Text.Json;
using QualityHub.Web.Components.Shared;

namespace QualityHub.Web.Features.Models;

/// <summary>
/// The register-a-model form: what is typed, how far the upload is, and each refusal of the server sorted onto the
/// field it concerns (module, version, notes, file) or, when it names none of them, kept for the whole form.
/// </summary>
public sealed class RegistrationForm(TimeProvider clock)
{
    /// <summary>The fields the form shows; a refusal naming another field is about the whole form.</summary>
    public static readonly IReadOnlyList<string> Fields = ["module", "version", "notes", "file"];

    private readonly Dictionary<string, string> errors = new(StringComparer.Ordinal);
    private long startedAt;

    public string? Module { get; set; }

    public string Version { get; set; } = "";

    public string Notes { get; set; } = "";

    public bool Uploading { get; private set; }

    /// <summary>Bytes sent of the total, while an upload runs and the browser reports it.</summary>
    public (long Loaded, long Total)? Sent { get; private set; }

    public bool CanRegister => !Uploading && Module is not null && Version.Trim().Length > 0;

    /// <summary>The API address the browser posts the file to; the typed fields travel in its query.</summary>
    public string Url => $"api/models?module={Uri.EscapeDataString(Module ?? "")}&version={Uri.EscapeDataString(Version.Trim())}&notes={Uri.EscapeDataString(Notes)}";

    public double Percent => Sent is { Total: > 0 } s ? Math.Round(100.0 * s.Loaded / s.Total) : 0;

    /// <summary>Percent, bytes, rate and time left, e.g. "40 % · 4 MiB of 10 MiB · 2 MiB/s · 3 s left".</summary>
    public string ProgressText
    {
        get
        {
            if (Sent is not { } s)
            {
                return "";
            }

            var text = $"{Percent:0} % · {Formats.Bytes(s.Loaded)} of {Formats.Bytes(s.Total)}";
            var seconds = clock.GetElapsedTime(startedAt).TotalSeconds;
            if (seconds <= 0 || s.Loaded <= 0)
            {
                return text;
            }

            var rate = s.Loaded / seconds;
            return $"{text} · {Formats.TransferRate(rate)} · {Formats.Remaining(TimeSpan.FromSeconds((s.Total - s.Loaded) / rate))}";
        }
    }

    /// <summary>The refusal shown on <paramref name="field"/>, if any.</summary>
    public string? ErrorOf(string field) => errors.GetValueOrDefault(field);

    /// <summary>A field was changed: its refusal no longer applies.</summary>
    public void Edited(string field) => errors.Remove(field);

    public void Start()
    {
        Uploading = true;
        errors.Clear();
        Sent = (0, 0);
        startedAt = clock.GetTimestamp();
    }

    public void Report(long loaded, long total) => Sent = (loaded, total);

    /// <summary>
    /// The server answered: on success the version field empties for the next one and the message says what was
    /// registered; a refusal goes onto its field (Field is set) or is the form's (Field is null).
    /// </summary>
    public RegistrationOutcome Finish(int status, string body)
    {
        Uploading = false;
        Sent = null;
        if (status is >= 200 and <= 299)
        {
            var outcome = new RegistrationOutcome(true, $"Registered {Module}/{Version.Trim()}. Check its proposed model card on its page.", null);
            Version = "";
            return outcome;
        }

        var (detail, field) = Refusal(body);
        field = field is not null && Fields.Contains(field) ? field : null;
        if (field is not null)
        {
            errors[field] = detail;
        }

        return new RegistrationOutcome(false, detail, field);
    }

    // The API answers refusals with problem details; their detail is the message and their "field" extension the place.
    private static (string Detail, string? Field) Refusal(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (body, null);
            }

            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : body;
            var field = root.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            return (detail, field);
        }
        catch (JsonException)
        {
            return (body.Length > 0 ? body : "The upload failed.", null);
        }
    }
}

/// <summary>How a registration ended: registered, or refused with a message for a field or for the whole form.</summary>
public sealed record RegistrationOutcome(bool Registered, string Message, string? Field);
