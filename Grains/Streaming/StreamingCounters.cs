// Counts of this node's range transfers since it started: kept as totals (for grainkv status and tests, which
// check the data actually moved) and reported to the GrainKV meter.

using GrainKV.Grains.Hosting;

namespace GrainKV.Grains.Streaming;

/// <summary>Keys and bytes streamed in and out, keys added and keys dropped by this node. Thread-safe.</summary>
public sealed class StreamingCounters(GrainKvMetrics metrics)
{
    private long _keysReceived;
    private long _bytesReceived;
    private long _keysAdded;
    private long _keysSent;
    private long _bytesSent;
    private long _keysDropped;

    public long KeysReceived => Interlocked.Read(ref _keysReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Received keys that this node did not hold before (the data that actually moved here).</summary>
    public long KeysAdded => Interlocked.Read(ref _keysAdded);

    public long KeysSent => Interlocked.Read(ref _keysSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Keys deleted from ranges this node no longer owns.</summary>
    public long KeysDropped => Interlocked.Read(ref _keysDropped);

    public void Received(int keys, long bytes)
    {
        Interlocked.Add(ref _keysReceived, keys);
        Interlocked.Add(ref _bytesReceived, bytes);
        metrics.StreamKeysReceived.Add(keys);
        metrics.StreamBytesReceived.Add(bytes);
    }

    /// <summary>A received key this node did not hold was stored.</summary>
    public void Added() => Interlocked.Increment(ref _keysAdded);

    public void Sent(int keys, long bytes)
    {
        Interlocked.Add(ref _keysSent, keys);
        Interlocked.Add(ref _bytesSent, bytes);
        metrics.StreamKeysSent.Add(keys);
    }

    public void Dropped(int keys)
    {
        Interlocked.Add(ref _keysDropped, keys);
        metrics.StreamKeysDropped.Add(keys);
    }
}
