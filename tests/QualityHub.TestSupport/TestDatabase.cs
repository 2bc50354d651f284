using System.Security.Cryptography;
using System.Text;

namespace QualityHub.TestSupport;

/// <summary>
/// The engine a test run stores its records in: SQLite (the default) or, with QUALITYHUB_TEST_DATABASE=postgres, the
/// run's throwaway PostgreSQL server. The same tests run on both (./test.sh runs the Data and Web tests twice); a test
/// about one engine only carries <c>[Trait("Engine", "sqlite")]</c> or <c>[Trait("Engine", "postgres")]</c>.
/// </summary>
public static class TestDatabase
{
    /// <summary>The environment variable that picks the engine.</summary>
    public const string Variable = "QUALITYHUB_TEST_DATABASE";

    /// <summary>Whether this run's tests store into PostgreSQL.</summary>
    public static bool IsPostgres { get; } = string.Equals(Environment.GetEnvironmentVariable(Variable), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What to add to an app's configuration for the data folder: nothing on SQLite (its file lives in the folder); on
    /// PostgreSQL the provider and a database named after the folder — the same one for the same folder, so an app
    /// restarted on its folder finds its records — which the app creates on its first start.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> SettingsFor(string dataDirectory)
    {
        if (!IsPostgres)
        {
            return new Dictionary<string, string?>();
        }

        var server = PostgresTestServer.SharedAsync().GetAwaiter().GetResult();
        return new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["ConnectionStrings:QualityHub"] = ConnectionStringFor(server, dataDirectory),
        };
    }

    /// <summary>How the app names the folder's database (health, logs): the SQLite file in it, or the PostgreSQL database and server.</summary>
    public static string DescriptionFor(string dataDirectory) => IsPostgres
        ? $"PostgreSQL database {DatabaseNameFor(dataDirectory)} on 127.0.0.1:{PostgresTestServer.SharedAsync().GetAwaiter().GetResult().Port}"
        : Path.Combine(dataDirectory, "qualityhub.db");

    /// <summary>The connection string of the folder's database on <paramref name="server"/> (not created here).</summary>
    public static string ConnectionStringFor(PostgresTestServer server, string dataDirectory) => server.ConnectionStringFor(DatabaseNameFor(dataDirectory));

    /// <summary>
    /// An app's settings for a new PostgreSQL database of its own on <paramref name="server"/> (created by the first app
    /// that starts on it), whichever engine the run tests: for tests of several instances sharing one database.
    /// </summary>
    public static Dictionary<string, string> NewPostgresDatabase(PostgresTestServer server) => new()
    {
        ["Storage:Provider"] = "postgres",
        ["ConnectionStrings:QualityHub"] = server.ConnectionStringFor($"qh_{Guid.NewGuid():N}"),
    };

    /// <summary>qh_ and 24 hex digits of the folder's full path's hash: a valid name, unique per folder.</summary>
    public static string DatabaseNameFor(string dataDirectory)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory)));
        return "qh_" + Convert.ToHexStringLower(hash)[..24];
    }
}
