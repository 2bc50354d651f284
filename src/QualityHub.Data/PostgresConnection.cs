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
