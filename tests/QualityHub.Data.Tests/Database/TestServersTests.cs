using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QualityHub.Data.Tests.Database;

/// <summary>The throwaway PostgreSQL and Redis servers that later tests stand on: real servers, separate databases, gone when stopped.</summary>
public sealed class TestServersTests
{
    [Fact]
    public async Task A_postgres_test_server_makes_separate_databases_that_keep_what_is_written()
    {
        await using var server = await PostgresTestServer.StartAsync();
        var first = await server.CreateDatabaseAsync();
        var second = await server.CreateDatabaseAsync("qh_second");
        var firstName = DatabaseOf(first);

        Assert.Equal($"Host=127.0.0.1;Port={server.Port};Username=qualityhub;Database={firstName}", first);
        Assert.Equal($"Host=127.0.0.1;Port={server.Port};Username=qualityhub;Database=postgres;Pooling=false", server.AdminConnectionString);
        Assert.Equal("42", await server.PsqlAsync(firstName, "CREATE TABLE t(x int); INSERT INTO t VALUES (42); SELECT x FROM t;"));
        Assert.Equal("UTF8|qualityhub", await server.PsqlAsync(firstName, "SELECT pg_encoding_to_char(encoding), pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database();"));
        // The second database has no table t: the two are separate.
        Assert.Equal("0", await server.PsqlAsync(DatabaseOf(second), "SELECT count(*) FROM pg_class WHERE relname = 't';"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.PsqlAsync(DatabaseOf(second), "SELECT x FROM t;"));
        Assert.Contains("relation \"t\" does not exist", error.Message, StringComparison.Ordinal);

        await server.DropDatabaseAsync(firstName);
        Assert.Equal("qh_second", await server.PsqlAsync("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'qh\\_%' ORDER BY 1;"));
    }

    [Fact]
    public async Task A_stopped_postgres_test_server_no_longer_listens_and_leaves_no_folder()
    {
        var server = await PostgresTestServer.StartAsync();
        Assert.True(await AcceptsAsync(server.Port));

        await server.StopAsync();

        Assert.False(await AcceptsAsync(server.Port));
        Assert.False(Directory.Exists(server.FolderPath));
        await server.StopAsync();
    }

    [Fact]
    public async Task The_shared_postgres_test_server_is_one_server_per_test_process()
    {
        var shared = await PostgresTestServer.SharedAsync();

        Assert.Same(shared, await PostgresTestServer.SharedAsync());
        Assert.Equal("1", await shared.PsqlAsync("postgres", "SELECT 1;"));
    }

    [Fact]
    public async Task A_redis_test_server_sets_and_gets_over_resp()
    {
        await using var server = await RedisTestServer.StartAsync();
        Assert.Equal($"127.0.0.1:{server.Port}", server.ConnectionString);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();

        Assert.Equal("+OK\r\n", await SendAsync(stream, Resp("SET", "quality", "hub"), "+OK\r\n".Length));
        Assert.Equal("$3\r\nhub\r\n", await SendAsync(stream, Resp("GET", "quality"), "$3\r\nhub\r\n".Length));
        Assert.Equal("$-1\r\n", await SendAsync(stream, Resp("GET", "missing"), "$-1\r\n".Length));
    }

    [Fact]
    public async Task A_stopped_or_killed_redis_test_server_no_longer_listens()
    {
        var stopped = await RedisTestServer.StartAsync();
        await using var killed = await RedisTestServer.StartAsync();
        Assert.NotEqual(stopped.Port, killed.Port);
        Assert.True(await AcceptsAsync(stopped.Port));
        Assert.True(await AcceptsAsync(killed.Port));

        await stopped.StopAsync();
        await killed.KillAsync();

        Assert.False(await AcceptsAsync(stopped.Port));
        Assert.False(await AcceptsAsync(killed.Port));
    }

    [Fact]
    public async Task The_shared_redis_test_server_is_one_server_per_test_process()
    {
        var shared = await RedisTestServer.SharedAsync();

        Assert.Same(shared, await RedisTestServer.SharedAsync());
        Assert.True(await AcceptsAsync(shared.Port));
    }

    private static string DatabaseOf(string connectionString) =>
        connectionString.Split(';').Single(part => part.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static byte[] Resp(params string[] parts)
    {
        var command = new StringBuilder($"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            command.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        return Encoding.UTF8.GetBytes(command.ToString());
    }

    private static async Task<string> SendAsync(NetworkStream stream, byte[] command, int replyLength)
    {
        await stream.WriteAsync(command);
        var reply = new byte[replyLength];
        await stream.ReadExactlyAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.UTF8.GetString(reply);
    }
}
