using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using QualityHub.Core.Domain;

namespace QualityHub.Data.Tests.Database;

[Trait("Engine", "sqlite")]
public class DatabaseInitializerTests
{
    [Fact]
    public async Task First_start_creates_the_database_in_WAL_mode()
    {
        using var folder = new TempFolder();
        var dataDirectory = Path.Combine(folder.Path, "nested", "data");
        await using var storage = new Storage(dataDirectory);

        await storage.Initializer.InitializeAsync();

        Assert.True(File.Exists(Path.Combine(dataDirectory, "qualityhub.db")));
        await using var db = await storage.CreateContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await pragma.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_second_start_keeps_what_is_stored()
    {
        using var folder = new TempFolder();
        await using (var first = new Storage(folder.Path))
        {
            await first.Initializer.InitializeAsync();
            await using var db = await first.CreateContextAsync();
            db.Modules.Add(new Module { Name = "card-number-ocr", TaskType = TaskType.TextRecognition, InputDescription = "text-line image", OutputDescription = "string", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await using var second = new Storage(folder.Path);
        await second.Initializer.InitializeAsync();
        await using var again = await second.CreateContextAsync();
        Assert.Equal("card-number-ocr", (await again.Modules.SingleAsync()).Name);
    }

    [Fact]
    public async Task A_file_that_is_not_SQLite_is_refused_and_left_untouched()
    {
        using var folder = new TempFolder();
        var path = folder.File("qualityhub.db");
        await File.WriteAllTextAsync(path, "these are somebody's notes, not a database\n");
        var before = Hash(path);

        await using var storage = new Storage(folder.Path);
        var error = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Contains("is not a SQLite database", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Equal(before, Hash(path));
    }

    [Fact]
    public async Task A_corrupt_SQLite_file_is_refused_and_left_untouched()
    {
        using var folder = new TempFolder();
        var path = folder.File("qualityhub.db");
        await using (var storage = new Storage(folder.Path))
        {
            await storage.Initializer.InitializeAsync();
        }

        SqliteConnection.ClearAllPools();
        // Keep SQLite's header, overwrite the pages after the first with garbage.
        var bytes = await File.ReadAllBytesAsync(path);
        for (var i = 4096; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }

        await File.WriteAllBytesAsync(path, bytes);
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        var before = Hash(path);

        await using var reopened = new Storage(folder.Path);
        var error = await Assert.ThrowsAsync<StartupException>(() => reopened.Initializer.InitializeAsync());

        Assert.Contains(path, error.Message);
        Assert.Equal(before, Hash(path));
    }

    [Fact]
    public async Task A_foreign_SQLite_database_is_refused_and_left_untouched()
    {
        using var folder = new TempFolder();
        var path = folder.File("qualityhub.db");
        await using (var foreign = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await foreign.OpenAsync();
            await using var create = foreign.CreateCommand();
            create.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada');";
            await create.ExecuteNonQueryAsync();
        }

        var before = Hash(path);

        await using var storage = new Storage(folder.Path);
        var error = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Contains("belongs to something else", error.Message);
        Assert.Contains("customers", error.Message);
        Assert.Equal(before, Hash(path));
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused()
    {
        using var folder = new TempFolder();
        await using (var storage = new Storage(folder.Path))
        {
            await storage.Initializer.InitializeAsync();
            await using var db = await storage.CreateContextAsync();
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO __EFMigrationsHistory (MigrationId, ProductVersion) VALUES ('29991231000000_FromTheFuture', '99.0.0');");
        }

        await using var older = new Storage(folder.Path);
        var error = await Assert.ThrowsAsync<StartupException>(() => older.Initializer.InitializeAsync());

        Assert.Contains("newer QualityHub", error.Message);
        Assert.Contains("29991231000000_FromTheFuture", error.Message);
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_created_is_reported()
    {
        using var folder = new TempFolder();
        var blocker = folder.File("a-file");
        await File.WriteAllTextAsync(blocker, "a file where a folder would have to be");

        await using var storage = new Storage(Path.Combine(blocker, "data"));
        var error = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.StartsWith("Data folder", error.Message);
        Assert.Contains("Storage:DataDirectory", error.Message);
    }

    [Fact]
    public async Task A_database_path_that_is_a_folder_is_reported()
    {
        using var folder = new TempFolder();
        var path = Directory.CreateDirectory(folder.File("qualityhub.db")).FullName;

        await using var storage = new Storage(folder.Path);
        var error = await Assert.ThrowsAsync<StartupException>(() => storage.Initializer.InitializeAsync());

        Assert.Contains("is a folder", error.Message);
        Assert.True(Directory.Exists(path));
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
