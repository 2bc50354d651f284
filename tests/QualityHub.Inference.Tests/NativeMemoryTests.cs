namespace QualityHub.Inference.Tests;

/// <summary>Every native object the binding creates is released: creating and disposing many leaves memory flat.</summary>
/// <remarks>Resident memory is the whole process's, so this runs alone, after the tests that run in parallel.</remarks>
[Collection(NativeMemoryCollection.Name)]
public class NativeMemoryTests
{
    private const long AllowedGrowthBytes = 16L * 1024 * 1024;

    [Fact]
    public void A_thousand_sessions_and_a_hundred_thousand_tensors_leave_resident_memory_flat()
    {
        var model = File.ReadAllBytes(OnnxSessionTests.NodeModel("test_abs"));
        var settings = new SessionSettings { Provider = ProviderPreference.Cpu, IntraOpThreads = 1 };
        var data = new float[60];

        void Churn(int sessions, int tensors)
        {
            for (var i = 0; i < sessions; i++)
            {
                using var session = OnnxSession.Load(model, "abs.onnx", settings);
                using var x = Tensor.Create(data, 3, 4, 5);
                session.Run([x])[0].Dispose();
            }

            for (var i = 0; i < tensors; i++)
            {
                using var tensor = Tensor.Create(data, 3, 4, 5);
                _ = tensor.OrtValue; // creates the OrtValue over the pinned array
            }
        }

        // Warm up allocators, thread pools and JIT before the baseline.
        Churn(sessions: 100, tensors: 10_000);
        var before = ResidentBytesAfterCollection();

        Churn(sessions: 1_000, tensors: 100_000);
        var after = ResidentBytesAfterCollection();

        Assert.True(after - before < AllowedGrowthBytes,
            $"Resident memory grew by {(after - before) / 1024.0 / 1024.0:F1} MiB over 1,000 sessions and 100,000 tensors (before {before / 1048576.0:F1} MiB, after {after / 1048576.0:F1} MiB).");
    }

    private static long ResidentBytesAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "native memory, alone";
}
