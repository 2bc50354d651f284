using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace QualityHub.Data;

/// <summary>Stores a DateTimeOffset as its UTC ticks, so that ordering in SQL is chronological.</summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
