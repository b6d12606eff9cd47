// The stores the benchmark knows, by the name used on the command line.

namespace GrainKV.Bench.Engine.Stores;

internal static class StoreCatalog
{
    public static readonly IReadOnlyList<string> Names = ["grainkv", "rocksdb"];

    public static IBenchStoreFactory Create(string name) => name switch
    {
        "grainkv" => new GrainKvStoreFactory(),
        "rocksdb" => new RocksDbStoreFactory(),
        _ => throw new ArgumentException($"Unknown store '{name}' (known: {string.Join(", ", Names)})."),
    };
}
