// A hook through which the engine's owner rewrites values while a compaction copies them, to reclaim space the
// engine cannot recognize as dead on its own (GrainKV drops the values of expired versions this way). The engine
// knows nothing of what the values mean: it calls the hook for every live entry a compaction writes and stores
// the replacement if there is one. A rewrite never removes an entry (that could uncover an older value of the
// key in a table below the compaction), and it applies only to tables that compaction rewrites: a value still in
// the memtable or in a table no compaction has reached yet keeps its bytes until then.

namespace GrainKV.Storage.Compaction;

/// <summary>Called for each live entry a compaction writes: returns the value to store instead, or null to keep
/// <paramref name="value"/> as it is. Must be thread-safe and must not throw (an exception fails the compaction and
/// stops the engine's background work); it must return the same meaning, in fewer or equal bytes.</summary>
public delegate byte[]? CompactionRewrite(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
