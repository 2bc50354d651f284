using System.Net.Sockets;
using Npgsql;

namespace QualityHub.Data;

/// <summary>The PostgreSQL connection string: checked once, and described without its password.</summary>
public static class PostgresConnection
{
    /// <summary>The configured connection string, or a start-up error saying which setting is missing or wrong.</summary>
    public static string Require(StorageOptions storage)
    {
        if (string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            throw new StartupException(
                $"Storage:Provider is postgres but ConnectionStrings:{StorageOptions.ConnectionStringName} is not set. " +
                "Set it, e.g. \"Host=db.internal;Port=5432;Database=qualityhub;Username=qualityhub;Password=…\".");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(storage.ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw new StartupException($"ConnectionStrings:{StorageOptions.ConnectionStringName} names no Host.");
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException e)
        {
            // The parser's message never repeats the value, so no password reaches the log.
            throw new StartupException($"ConnectionStrings:{StorageOptions.ConnectionStringName} cannot be read: {e.Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>
    /// A connection string someone typed, in Npgsql's keyword form (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>)
    /// or as a URI (<c>postgres://user:password@host:port/database?sslmode=require</c>, user and password percent-encoded),
    /// returned in keyword form. Anything else throws a <see cref="FormatException"/> whose message never repeats the text,
    /// so no password reaches a terminal or log.
    /// </summary>
    public static string FromKeywordsOrUri(string text)
    {
        const string Accepted = "a PostgreSQL connection string is accepted as Host=…;Port=5432;Database=…;Username=…;Password=… " +
            "or as postgres://user:password@host:5432/database";
        text = text.Trim();
        NpgsqlConnectionStringBuilder builder;
        try
        {
            if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                builder = FromUri(text);
            }
            else if (text.Contains('=', StringComparison.Ordinal) && !text.Contains("://", StringComparison.Ordinal))
            {
                builder = new NpgsqlConnectionStringBuilder(text);
            }
            else
            {
                throw new FormatException($"Not a connection string: {Accepted}.");
            }
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or KeyNotFoundException)
        {
            // Npgsql's messages name the keyword, never the value.
            throw new FormatException($"{e.Message.TrimEnd('.')}: {Accepted}.", e);
        }

        return string.IsNullOrWhiteSpace(builder.Host)
            ? throw new FormatException($"The connection string names no host: {Accepted}.")
            : builder.ConnectionString;
    }

    // postgres://user:password@host:port/database?keyword=value&…, as libpq reads it.
    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text, UriKind.Absolute);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.IdnHost };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            builder[key] = Uri.UnescapeDataString(equals < 0 ? "" : pair[(equals + 1)..]);
        }

        return builder;
    }

    /// <summary>"PostgreSQL database qualityhub on db.internal:5432": where the records are, with no credentials.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL database {builder.Database ?? builder.Username ?? "(default)"} on {HostAndPort(builder)}";
    }

    /// <summary>host:port of the server the connection string points at.</summary>
    public static string HostAndPort(string connectionString) => HostAndPort(new NpgsqlConnectionStringBuilder(connectionString));

    /// <summary>The one-line reason a server could not be used, for start-up refusals and health.</summary>
    public static string Reason(Exception e) => e switch
    {
        PostgresException p when p.SqlState == PostgresErrorCodes.InvalidPassword || p.SqlState == PostgresErrorCodes.InvalidAuthorizationSpecification =>
            $"the server refused the sign-in ({p.MessageText.TrimEnd('.')})",
        PostgresException p => $"{p.MessageText.TrimEnd('.')} (SQLSTATE {p.SqlState})",
        NpgsqlException { InnerException: SocketException s } => s.Message.TrimEnd('.'),
        NpgsqlException { InnerException: TimeoutException } or TimeoutException => "no answer within the connection timeout",
        _ => e.Message.TrimEnd('.'),
    };

    private static string HostAndPort(NpgsqlConnectionStringBuilder builder) => $"{builder.Host}:{builder.Port}";
}
